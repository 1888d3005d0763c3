"""GAN, PacGAN(m) and AdaGAN training on the mode-collapse benchmarks (PyTorch).

Needs the ``gan`` extra (``pip install 'modecollapse[gan]'``). Runs on CUDA when present, CPU
otherwise.
"""

__all__: list[str] = []
