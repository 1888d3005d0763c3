"""Screening of the ``table3-quarter-cpu`` reduction: one (m, seed) run per variant, modes and KL every few steps.

The Table-3 cpu preset (PacGAN Table 3's Unrolled-GAN networks, 1/4-size discriminator, at 14 x 14 on
full MNIST) was chosen from these runs; ``benchmarks/results/stacked_table3_screen.json`` holds what
they printed (variants A = the Metz-network preset as it was: G 1e-3, D 2e-3; B: D lr x5; C: G 2e-3;
D / D2: 2 D steps; N: no BatchNorm in D (not the published network); S: G 5e-4, D 2.5e-3; then
our cpu DCGAN pair with its discriminator cut: Q4 / W4* (filters 8-16), Q8 (4-8), W2* (16-32),
L_W4 / L_W8 to 9,000 steps; L_W8 became the preset). Usage::

    python benchmarks/stacked_table3_screen.py NAME MS SEEDS STEPS EVERY '{"d_lr_mult": 5.0}'

e.g. ``python benchmarks/stacked_table3_screen.py S 1,3 0 3000 1000 '{"lr": 0.0005, "d_lr_mult": 5.0}'``
appends JSON lines to ``/tmp/t3/S.jsonl`` (the digit classifier is cached under /tmp/t3). The
overrides are StackedConfig fields, plus ``preset`` (default: table3-quarter-cpu as it was before the
screening, Metz's networks with lr 1e-3, d_lr_mult 2, rebuilt here; the variants A-S are relative to
that, Q/W/L pass ``"preset": "cpu"``) and ``d_bn``. Run on demand only.
"""
import json, os, sys, time

os.makedirs("/tmp/t3", exist_ok=True)
import torch
torch.set_num_threads(1)
from modecollapse.gan.train.config import stacked_preset
from modecollapse.gan.train._stacked import (load_stacked_split, train_digit_classifier, classifier_accuracy,
                                             init_stacked, train_stacked, evaluate_stacked)
name, ms, seeds, steps, every = sys.argv[1], [int(x) for x in sys.argv[2].split(',')], [int(x) for x in sys.argv[3].split(',')], int(sys.argv[4]), int(sys.argv[5])
over = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
preset = over.pop("preset", "table3-quarter-cpu")
d_bn = over.pop("d_bn", True)
if not d_bn:
    import modecollapse.gan.train._stacked as T
    from modecollapse.gan.nets._stacked import MetzDiscriminator
    _orig = T.MetzDiscriminator
    T.MetzDiscriminator = lambda **kw: _orig(**{**kw, "batchnorm": False})
if preset == "table3-quarter-cpu":
    # the preset as screened (before this screening changed it): Metz's networks with the 1/4-size D
    # at 14 x 14, G 1e-3, D 2e-3 (d_lr_mult 2), 10,000 samples counted, a 3-epoch classifier
    base = stacked_preset("table3-quarter-paper").replace(image_size=14, lr=1e-3, d_lr_mult=2.0, n_eval=10_000,
                                                          classifier_epochs=3)
else:
    base = stacked_preset(preset)
cfg = base.replace(steps=steps, **over)
split = load_stacked_split(data=cfg.data, image_size=cfg.image_size)
clfp = f"/tmp/t3/clf{cfg.image_size}_{cfg.classifier_epochs}.pt"
if os.path.exists(clfp):
    clf = torch.load(clfp, weights_only=False)
else:
    clf = train_digit_classifier(split.train, epochs=cfg.classifier_epochs, seed=0)
    torch.save(clf, clfp)
out = open(f"/tmp/t3/{name}.jsonl", "a")
for m in ms:
    for s in seeds:
        st = init_stacked(cfg, m=m, seed=s)
        t0 = time.process_time()
        for until in range(every, steps + 1, every):
            dl = []
            train_stacked(st, split.train, until=until, callback=lambda _s, d, g: dl.append((d, g)))
            r = evaluate_stacked(st.generator, clf, n=cfg.n_eval, seed=10_000 + s)
            dd = sum(x[0] for x in dl[-100:]) / 100; gg = sum(x[1] for x in dl[-100:]) / 100
            rec = dict(name=name, over={**over, 'd_bn': d_bn}, m=m, seed=s, step=until, modes=r.modes, kl=round(r.kl, 3), d=round(dd, 3), g=round(gg, 3), cpu=round(time.process_time() - t0, 1))
            print(json.dumps(rec), flush=True); out.write(json.dumps(rec) + "\n"); out.flush()
