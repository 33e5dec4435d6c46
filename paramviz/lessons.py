"""Lessons: one-click presets, each a config that shows one phenomenon, and a short text on what to watch.

tests/test_lessons.py trains each lesson and checks that its phenomenon happens.
"""

from __future__ import annotations

from typing import NamedTuple

from .config import TrainConfig

FULL_BATCH = 100_000  # any batch size ≥ the training set is full-batch gradient descent


class Lesson(NamedTuple):
    key: str  # URL-safe id
    title: str  # short: the sidebar's Lesson picker shows about 30 characters before it cuts the rest
    watch: str  # markdown: what to watch
    config: TrainConfig
    steps: int  # steps that show the phenomenon
    focus: str  # chart to open: loss | trajectories | model | landscape | optimizer | network
    compare: tuple[str, ...] = ()  # optimizers whose paths are overlaid on the landscape, from the same start
    landscape: tuple[str, str] | None = None  # the landscape's two parameters


_LINE = ("W1[0,0]", "b1[0]")  # a line y = w·x + b has exactly these two parameters

_ALL = (
    Lesson(
        "lr-too-high", "Learning rate too high",
        "Plain gradient descent on a straight line, with a learning rate above 2 / (largest curvature). "
        "Press **Step** a few times: on the loss landscape each step **overshoots the valley floor, further "
        "than the last**, and soon leaves the picture. Then press Play and watch the loss climb until it is no "
        "longer a number. Lower the learning rate below 1 and press Reset.",
        TrainConfig(dataset="linear", n_samples=100, noise=0.3, hidden_layers=(), init="zeros",
                    optimizer="sgd", learning_rate=1.5, batch_size=FULL_BATCH),
        steps=600, focus="landscape", landscape=_LINE),
    Lesson(
        "momentum-vs-sgd", "Momentum vs plain SGD",
        "The inputs are not scaled, so the loss surface is a long, narrow valley (ill-conditioned). With the "
        "same learning rate, **plain SGD crawls along the valley floor** while **momentum builds up speed** and "
        "reaches the minimum, overshooting a little on the way. Compare the two paths on the landscape.",
        TrainConfig(dataset="linear", n_samples=100, noise=0.3, scale_inputs=False, hidden_layers=(),
                    init="zeros", optimizer="momentum", momentum=0.9, learning_rate=0.01, batch_size=FULL_BATCH),
        steps=300, focus="landscape", compare=("sgd",), landscape=_LINE),
    Lesson(
        "batch-size-noise", "Batch size and noise",
        "With a batch of one sample, each step follows one point's gradient: the **loss curve jitters** and the "
        "weights wander. Then choose *full batch*, press Reset and Play: the same learning rate gives a smooth "
        "curve, but each step costs a pass over all the data.",
        TrainConfig(dataset="moons", hidden_layers=(8, 8), activation="tanh", optimizer="sgd", learning_rate=0.1,
                    batch_size=1),
        steps=1000, focus="loss"),
    Lesson(
        "overfit-polynomial", "Overfitting a polynomial",
        "Ten noisy training points, fifteen polynomial features. The **training loss keeps falling** while the "
        "**test loss turns and climbs**: the model fits the noise. The marker on the test curve is where early "
        "stopping would have stopped. Then try degree 3, or add L2 regularization.",
        TrainConfig(dataset="sine", n_samples=20, noise=0.3, test_fraction=0.5, hidden_layers=(), poly_degree=15,
                    optimizer="adam", learning_rate=0.05, batch_size=FULL_BATCH),
        steps=2000, focus="model"),
    Lesson(
        "l1-sparsity", "L1 zeros vs L2 shrinking",
        "A degree-9 polynomial with L1 and the proximal (soft-thresholding) update: watch weights **hit zero and "
        "stay there** in the trajectories — L1 selects features. Switch the regularizer to L2 with the same "
        "strength: the weights shrink, but none becomes exactly zero.",
        TrainConfig(dataset="sine", n_samples=60, noise=0.2, hidden_layers=(), poly_degree=9, optimizer="sgd",
                    learning_rate=0.1, batch_size=FULL_BATCH, regularizer="l1", reg_strength=0.01, proximal=True),
        steps=1500, focus="trajectories"),
    Lesson(
        "zero-init-symmetry", "Zero initialisation",
        "All weights start at zero, so every hidden neuron computes the same thing and receives the same "
        "gradient. **Their trajectories lie on top of each other** and the network diagram shows identical "
        "edges: four neurons per layer behave like one. Choose *glorot* initialisation and press New weights.",
        TrainConfig(dataset="moons", hidden_layers=(4, 4), activation="sigmoid", init="zeros", optimizer="adam",
                    learning_rate=0.05),
        steps=500, focus="network"),
    Lesson(
        "xor-needs-hidden-layer", "XOR needs a hidden layer",
        "Logistic regression draws one straight line, and no line separates XOR: accuracy stays near 50%. "
        "Add **one hidden layer of 4 neurons** (a new run starts) and watch the boundary bend around the "
        "quadrants.",
        TrainConfig(dataset="xor", noise=0.05, hidden_layers=(), activation="tanh", optimizer="adam",
                    learning_rate=0.03),
        steps=1500, focus="model"),
)
LESSONS: dict[str, Lesson] = {lesson.key: lesson for lesson in _ALL}
