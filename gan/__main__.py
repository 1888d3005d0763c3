"""``python -m gan``: train and evaluate GAN / PacGAN / AdaGAN models (see ``python -m gan -h``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
