"""paramviz: watch a model's weights and biases learn. This package is the numpy engine; it imports neither
streamlit nor plotly (paramviz.charts and paramviz.ui do, and are imported only by the app)."""

from .config import TrainConfig
from .datasets import DATASETS, Dataset, RawData, load_csv, make_raw, prepare
from .lab import (
    TRUE_FUNCTIONS,
    bias_variance,
    capacity_curve,
    early_stopping,
    learning_curve,
    regularization_path,
    train_side_by_side,
)
from .nn import ACTIVATIONS, INITIALIZERS, LOSSES, Layout
from .optim import OPTIMIZERS, SCHEDULES
from .regularizers import REGULARIZERS
from .run import HOT_FIELDS, Run
from .sweeps import MAX_TRIALS, IntUniform, LogUniform, SweepCancelled, SweepResult, Uniform, sweep

__all__ = [
    "TrainConfig", "Run", "Dataset", "RawData", "load_csv", "make_raw", "prepare", "Layout",
    "DATASETS", "ACTIVATIONS", "INITIALIZERS", "LOSSES", "OPTIMIZERS", "REGULARIZERS", "SCHEDULES", "HOT_FIELDS",
    "sweep", "SweepResult", "SweepCancelled", "Uniform", "LogUniform", "IntUniform", "MAX_TRIALS",
    "capacity_curve", "regularization_path", "learning_curve", "early_stopping", "bias_variance",
    "train_side_by_side", "TRUE_FUNCTIONS",
]
__version__ = "0.1.0"
