"""``python -m modecollapse.gan``: train and evaluate GAN / PacGAN / AdaGAN models (see ``python -m modecollapse.gan -h``)."""

import sys

from modecollapse.gan.cli import main

if __name__ == "__main__":
    sys.exit(main())
