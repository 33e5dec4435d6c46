"""CSV upload: good files load and train; every malformed file is a ValueError with a plain reason."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import paramviz as pv


def rows_csv(n, row, header="a,b,y"):
    return header + "\n" + "".join(row(i) + "\n" for i in range(n))


REGRESSION = rows_csv(40, lambda i: f"{i / 10},{(i * 7) % 5},{0.5 * i / 10 - 0.25 * ((i * 7) % 5) + 1:.6f}")
BINARY = rows_csv(40, lambda i: f"{i / 10},{(i * 7) % 5},{int(i >= 20)}")
SPECIES = ["setosa", "virginica", "versicolor"]
TEXT_LABELS = rows_csv(45, lambda i: f"{i % 3 + 0.1 * (i % 4)},{(i * 5) % 7},{SPECIES[i % 3]}",
                       header="petal,sepal,species")


def sources(text):
    return [text.encode("utf-8"), io.StringIO(text)]


@pytest.mark.parametrize("kind", ["bytes", "stringio"])
def test_regression_csv_loads(kind):
    raw = pv.load_csv(sources(REGRESSION)[kind == "stringio"])
    assert raw.task == "regression" and raw.n_classes == 1
    assert raw.X.shape == (40, 2) and raw.input_names == ("a", "b") and raw.target_name == "y"
    assert raw.X[3].tolist() == [0.3, 1.0]
    assert raw.y[3] == pytest.approx(0.15 - 0.25 + 1)


@pytest.mark.parametrize("kind", ["bytes", "stringio"])
def test_binary_csv_loads(kind):
    raw = pv.load_csv(sources(BINARY)[kind == "stringio"])
    assert raw.task == "binary" and raw.n_classes == 2
    assert raw.y.tolist() == [0] * 20 + [1] * 20
    assert raw.class_names == ("0", "1")


@pytest.mark.parametrize("kind", ["bytes", "stringio"])
def test_text_labels_become_classes(kind):
    raw = pv.load_csv(sources(TEXT_LABELS)[kind == "stringio"])
    assert raw.task == "multiclass" and raw.n_classes == 3
    assert raw.class_names == ("setosa", "versicolor", "virginica")  # sorted
    assert raw.y[:3].tolist() == [0, 2, 1]
    assert raw.target_name == "species" and raw.input_names == ("petal", "sepal")


def test_target_column_can_be_chosen():
    raw = pv.load_csv(BINARY.encode(), target="a", task="regression")
    assert raw.input_names == ("b", "y") and raw.target_name == "a"
    assert raw.y[:3].tolist() == [0.0, 0.1, 0.2]


def test_whole_number_target_can_be_forced_to_regression():
    assert pv.load_csv(BINARY.encode(), task="regression").task == "regression"


@pytest.mark.parametrize("text, task", [(REGRESSION, "regression"), (BINARY, "binary"), (TEXT_LABELS, "multiclass")])
def test_csv_data_trains_in_a_run(text, task):
    raw = pv.load_csv(text.encode())
    cfg = pv.TrainConfig(dataset="csv", hidden_layers=(6,), optimizer="adam", learning_rate=0.05, batch_size=16,
                         n_samples=len(raw.y))
    run = pv.Run(cfg, data=raw)
    assert run.data.task == task
    before = run.history["train_loss"].iloc[0]
    run.step(300)
    h = run.history
    assert not run.diverged
    assert h["train_loss"].iloc[-1] < 0.5 * before
    out = run.predict(raw.X[:5])
    assert out.shape == ((5, 3) if task == "multiclass" else (5,))
    assert len(run.data.y_train) + len(run.data.y_test) == len(raw.y)


def test_csv_classes_are_learned():
    raw = pv.load_csv(BINARY.encode())
    cfg = pv.TrainConfig(dataset="csv", hidden_layers=(), optimizer="adam", learning_rate=0.1, batch_size=64)
    run = pv.Run(cfg, data=raw).step(300)
    assert run.history["train_accuracy"].iloc[-1] == 1.0


def bad(source, match, **kw):
    with pytest.raises(ValueError, match=match) as info:
        pv.load_csv(source, **kw)
    msg = str(info.value)
    assert "Traceback" not in msg and "\n" not in msg and len(msg) < 200
    assert info.value.__cause__ is None
    return msg


NON_NUMERIC = rows_csv(20, lambda i: f"{i},{'oops' if i == 4 else i},{i % 2}")
NAN_CELL = rows_csv(20, lambda i: f"{i},{'' if i == 3 else i},{i % 2}")
NAN_WORD = rows_csv(20, lambda i: f"{i},{'NaN' if i == 7 else i},{i % 2}")
INF_CELL = rows_csv(20, lambda i: f"{i},{'inf' if i == 3 else i},{i % 2}")
NAN_TARGET = rows_csv(20, lambda i: f"{i},{i},{'' if i == 2 else i % 2}")
INF_TARGET = rows_csv(20, lambda i: f"{i},{i},{'-inf' if i == 3 else i * 0.37}")
SINGLE_CLASS = rows_csv(20, lambda i: f"{i},{i * 2},yes")
WIDE = rows_csv(20, lambda i: ",".join(str(i + j) for j in range(22)) + f",{i % 2}",
                header=",".join(f"f{j}" for j in range(22)) + ",y")
ELEVEN_CLASSES = rows_csv(33, lambda i: f"{i},{i},c{i % 11}")
RAGGED = rows_csv(20, lambda i: f"{i},{i},{i % 2}" + (",9" if i == 5 else ""))
ONE_COLUMN = rows_csv(20, lambda i: f"{i}", header="y")


@pytest.mark.parametrize("kind", ["bytes", "stringio"])
@pytest.mark.parametrize("text, match", [
    (NON_NUMERIC, r"column 'b' is not numeric \(row 6: 'oops'\)"),
    (NAN_CELL, r"column 'b' has a missing value \(row 5\)"),
    (NAN_WORD, r"column 'b' has a missing value \(row 9\)"),
    (INF_CELL, r"column 'b' has an infinite value \(row 5\)"),
    (NAN_TARGET, r"target column 'y' has missing values \(row 4\)"),
    (INF_TARGET, r"target column 'y' has non-finite values"),
    (SINGLE_CLASS, r"single class \(yes\); at least two"),
    (WIDE, r"22 feature columns; at most 20"),
    (ELEVEN_CLASSES, r"11 classes; at most 10"),
    (RAGGED, r"could not be read as CSV.*line 7"),
    (ONE_COLUMN, r"at least two columns"),
    ("", r"the CSV file is empty"),
    ("\n\n\n", r"the CSV file is empty"),
    ("a,b,y\n", r"the CSV has 0 rows; at least 10"),
    (rows_csv(9, lambda i: f"{i},{i},{i % 2}"), r"the CSV has 9 rows; at least 10"),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_malformed_csv_is_a_clear_value_error(text, match, kind):
    bad(sources(text)[kind == "stringio"], match)


@pytest.mark.parametrize("kind", ["bytes", "stringio"])
def test_missing_target_column_lists_the_columns(kind):
    bad(sources(BINARY)[kind == "stringio"], r"target column 'nope' is not in the CSV \(columns: a, b, y\)",
        target="nope")


@pytest.mark.parametrize("kind", ["bytes", "stringio"])
def test_too_many_rows(kind):
    bad(sources(BINARY)[kind == "stringio"], r"the CSV has 40 rows; at most 25 are allowed", max_rows=25)


def test_exactly_max_rows_is_allowed():
    assert len(pv.load_csv(BINARY.encode(), max_rows=40).y) == 40


@pytest.mark.parametrize("payload", [
    b"a,b,y\n" + b"".join(b"%d,%d,caf\xe9\n" % (i, i) for i in range(20)),  # Latin-1, not UTF-8
    b"\xff\xfe" + "a,b,y\n1,2,3\n".encode("utf-16-le"),
])
def test_non_utf8_bytes(payload):
    bad(payload, r"the file is not a CSV text file in UTF-8; save the table as CSV \(UTF-8\)")


def test_unknown_task_is_a_value_error():
    bad(BINARY.encode(), r"task must be one of regression, classification; got 'classify'", task="classify")


def test_text_target_cannot_be_regression():
    bad(TEXT_LABELS.encode(), r"target column 'species' is not numeric", task="regression")


def test_many_distinct_whole_numbers_are_regression():
    raw = pv.load_csv(rows_csv(30, lambda i: f"{i},{i % 4},{i * 3}").encode())
    assert raw.task == "regression"
    assert np.array_equal(raw.y, np.arange(30) * 3.0)


@pytest.mark.parametrize("content, reason", [
    (bytes(range(256)) * 4, "the file is not a CSV text file (it holds binary data"),
    (("a,b,y\n" + "1,2,0\n" * 5 + "1,2,3,4\n" + "1,2,1\n" * 10).encode(),
     "line 7 has 4 comma-separated values but the first line has 3; every row needs one value per column"),
    (("a;b;y\n" + "1;2;0\n" * 12).encode(), "this file seems to separate its values with semicolons"),
    (("a\tb\ty\n" + "1\t2\t0\n" * 12).encode(), "this file seems to separate its values with tabs"),
])
def test_a_file_that_is_not_a_comma_separated_table_says_why_in_plain_words(content, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        pv.load_csv(content)
