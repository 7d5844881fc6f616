"""Summaries and metrics: the event-file proof of the fixture harness and the v1 → v2 call
rewrites of `rules/summaries.py`.

The event tests write TFRecord files by hand with the `tensorboard` package's protos (no
TensorFlow); one test runs the harness end to end on TensorFlow (a TF1 program with a
FileWriter against a TF2 program with `create_file_writer`), including a run that must fail.
"""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import wave
import zlib
from pathlib import Path

import libcst as cst
import pytest

from rules.summaries import (MetricPlan, file_writer_call, keras_metric, unconvertible_reason,
                             v2_summary_call)
from tfmigrate import verify

event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
from tensorboard.compat.proto import summary_pb2  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

HAVE_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None


# -- writing event files without TensorFlow ---------------------------------------------------

def _write_events(path: Path, events) -> None:
    """A TFRecord file of `events` (checksums zero: the reader does not check them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        for event in [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2"), *events]:
            data = event.SerializeToString()
            stream.write(struct.pack("<Q", len(data)) + b"\0" * 4 + data + b"\0" * 4)


def _event(step, *values):
    return event_pb2.Event(step=step, wall_time=1.0 + step,
                           summary=summary_pb2.Summary(value=list(values)))


def _tf1_scalar(tag, value):
    return summary_pb2.Summary.Value(tag=tag, simple_value=value)


def _tf2_tensor(tag, array, plugin):
    value = summary_pb2.Summary.Value(tag=tag, tensor=tensor_util.make_tensor_proto(array))
    value.metadata.plugin_data.plugin_name = plugin
    return value


def _tf1_histogram(tag, data):
    """A TF1 `histo` value: TF1's fixed limits (±1e-12·1.1^k, ±DBL_MAX), empty runs merged."""
    positive = [1e-12]
    while positive[-1] < 1e20:
        positive.append(positive[-1] * 1.1)
    limits = [-x for x in reversed(positive)] + [0.0] + positive + [1.7976931348623157e308]
    counts = [0] * len(limits)
    for x in data:
        counts[next(i for i, limit in enumerate(limits) if x < limit)] += 1
    histo = summary_pb2.HistogramProto(min=min(data), max=max(data), num=len(data),
                                       sum=sum(data), sum_squares=sum(x * x for x in data))
    i = 0
    while i < len(limits):
        end, count, j = limits[i], counts[i], i + 1
        while count == 0 and j < len(limits) and counts[j] == 0:
            end, j = limits[j], j + 1
        histo.bucket_limit.append(end)
        histo.bucket.append(count)
        i = j
    return summary_pb2.Summary.Value(tag=tag, histo=histo)


def _tf2_histogram(tag, data, buckets=30):
    low, high = min(data), max(data)
    width = (high - low) / buckets
    rows = [[low + i * width, low + (i + 1) * width, 0.0] for i in range(buckets)]
    for x in data:
        index = min(int((x - low) / width), buckets - 1) if width else buckets - 1
        rows[index][2] += 1
    import numpy as np

    return _tf2_tensor(tag, np.array(rows, np.float64), "histograms")


def _png(pixels, height, width, channels):
    """A PNG whose rows use the five filter types in turn (row y: type y % 5)."""
    stride = width * channels
    raw, previous = bytearray(), bytearray(stride)
    for y in range(height):
        row = bytes(pixels[y * stride:(y + 1) * stride])
        kind = y % 5
        out = bytearray()
        for i, x in enumerate(row):
            a = row[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            p = a + b - c
            predictor = [0, a, b, (a + b) // 2,
                         a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c)
                         else b if abs(p - b) <= abs(p - c) else c][kind]
            out.append((x - predictor) & 0xFF)
        raw += bytes([kind]) + out
        previous = bytearray(row)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8,
                                                              color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


def _wav(samples, rate=8000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(rate)
        clip.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


PIXELS = [(7 * i * i + 3 * i) % 256 for i in range(5 * 4 * 3)]  # 5 rows: every filter type


def _tf1_image(tag, pixels=PIXELS):
    image = summary_pb2.Summary.Image(height=5, width=4, colorspace=3,
                                      encoded_image_string=_png(pixels, 5, 4, 3))
    return summary_pb2.Summary.Value(tag=tag, image=image)


def _tf2_images(tag, *images):
    import numpy as np

    return _tf2_tensor(tag, np.array([b"4", b"5", *[_png(p, 5, 4, 3) for p in images]],
                                     object), "images")


def _tf1_side(directory: Path, loss=(0.5, 0.25), text=b"hello"):
    events = []
    for step, value in enumerate(loss):
        text_value = _tf2_tensor("note", __import__("numpy").array([text], object), "text")
        if step:  # TF1 writes a tag's plugin metadata once
            text_value.metadata.Clear()
        events.append(_event(step, _tf1_scalar("loss", value),
                             _tf1_histogram("w", [0.1, 0.2, 0.2, 1.5 + step]),
                             _tf1_image("img/image/0"), _tf1_image("img/image/1",
                                                                   PIXELS[::-1]),
                             text_value,
                             summary_pb2.Summary.Value(tag="clip/audio", audio=(
                                 summary_pb2.Summary.Audio(
                                     sample_rate=8000, num_channels=1, length_frames=4,
                                     encoded_audio_string=_wav([0, 100, -100, 32767]))))))
    _write_events(directory / "events.out.tfevents.100.host", events)


def _tf2_side(directory: Path, loss=(0.5, 0.25), pixels=PIXELS, histogram=None):
    import numpy as np

    events = []
    for step, value in enumerate(loss):
        data = histogram or [0.1, 0.2, 0.2, 1.5 + step]
        events += [_event(step, _tf2_tensor("loss", np.float32(value), "scalars")),
                   _event(step, _tf2_histogram("w", data)),
                   _event(step, _tf2_images("img", pixels, PIXELS[::-1])),
                   _event(step, _tf2_tensor("note", np.array([b"hello"], object), "text")),
                   _event(step, _tf2_tensor("clip", np.array(
                       [[_wav([0, 100, -100, 32767]), b""]], object), "audio"))]
    _write_events(directory / "events.out.tfevents.200.host.1.0.v2", events)


def _read(directory):
    values, problems = verify.read_events(directory)
    assert problems == []
    return values


# -- reading and normalising ------------------------------------------------------------------

def test_tf1_and_tf2_event_files_normalise_alike(tmp_path):
    _tf1_side(tmp_path / "tf1")
    _tf2_side(tmp_path / "tf2")
    before, after = _read(tmp_path / "tf1"), _read(tmp_path / "tf2")
    kinds = {(v.tag, v.kind) for v in before}
    assert kinds == {(v.tag, v.kind) for v in after} == {
        ("loss", "scalar"), ("w", "histogram"), ("img", "image"), ("note", "text"),
        ("clip", "audio")}
    scalars = [(v.step, v.value) for v in before if v.kind == "scalar"]
    assert scalars == [(0, 0.5), (1, 0.25)]
    (image,) = [v.value for v in after if v.kind == "image" and v.step == 0]
    assert [i["shape"] for i in image] == [[5, 4, 3], [5, 4, 3]]
    assert image[0]["pixels"] == PIXELS and image[1]["pixels"] == PIXELS[::-1]
    (tf1_image,) = [v.value for v in before if v.kind == "image" and v.step == 1]
    assert tf1_image == image  # /image/0 and /image/1 joined, in order, under "img"
    assert [v.value for v in before if v.kind == "text"] == [["hello"], ["hello"]]
    (clip,) = [v.value for v in after if v.kind == "audio" and v.step == 0]
    assert clip == [{"sample_rate": 8000, "channels": 1, "samples": [0, 100, -100, 32767]}]
    (histogram,) = [v.value for v in before if v.kind == "histogram" and v.step == 0]
    assert (histogram.count, histogram.minimum, histogram.maximum) == (4, 0.1, 1.5)
    assert verify.compare_events(before, after) == []


def test_runs_are_subdirectories_and_files_are_read_in_order(tmp_path):
    import numpy as np

    _write_events(tmp_path / "train" / "events.out.tfevents.9.h.1.0.v2",
                  [_event(0, _tf2_tensor("loss", np.float32(1), "scalars"))])
    _write_events(tmp_path / "train" / "events.out.tfevents.10.h.1.1.v2",
                  [_event(1, _tf2_tensor("loss", np.float32(2), "scalars"))])
    _write_events(tmp_path / "eval" / "events.out.tfevents.5.h",
                  [_event(0, _tf1_scalar("loss", 3.0))])
    values = _read(tmp_path)
    assert [(v.run, v.step, v.value) for v in values] == [
        ("eval", 0, 3.0), ("train", 0, 1.0), ("train", 1, 2.0)]
    assert verify.event_overview(values) == "eval:loss: scalar ×1, train:loss: scalar ×2"


def test_unreadable_event_file_is_a_problem(tmp_path):
    _tf1_side(tmp_path)
    path = next(tmp_path.iterdir())
    path.write_bytes(path.read_bytes()[:-7])
    values, problems = verify.read_events(tmp_path)
    assert len(problems) == 1 and "truncated record" in problems[0]
    assert verify.read_events(tmp_path / "missing") == ([], [])


# -- comparing ----------------------------------------------------------------------------------

def test_compare_events_reports_each_kind_of_difference(tmp_path):
    _tf1_side(tmp_path / "tf1")
    before = _read(tmp_path / "tf1")
    changed = list(PIXELS)
    changed[7] = (changed[7] + 3) % 256
    _tf2_side(tmp_path / "values", loss=(0.5, 0.3125), pixels=changed)
    problems = verify.compare_events(before, _read(tmp_path / "values"))
    assert len(problems) == 3, problems
    assert problems[0].startswith("events: tag 'img' step 0: image 0: 1 of 60 pixels differ "
                                  "(max |diff| 3): [7]")
    assert problems[2].startswith("events: tag 'loss' step 1: 0.25 != 0.3125")
    # a tolerance for the tag accepts the scalar (pixels stay exact)
    loose = verify.Options(tolerances={"loss": 0.1})
    assert len(verify.compare_events(before, _read(tmp_path / "values"), loose)) == 2

    _tf2_side(tmp_path / "steps", loss=(0.5,))
    (problem, *rest) = verify.compare_events(before, _read(tmp_path / "steps"))
    assert problem == "events: tag 'clip' has other steps: before.py [0, 1], after.py [0]"
    assert len(rest) == 4

    import numpy as np

    after = [v for v in _read(tmp_path / "values") if v.tag != "note"]
    after.append(verify.SummaryValue(".", "extra", 0, "scalar", 1.0))
    after = [v if v.tag != "clip" else verify.SummaryValue(".", "clip", v.step, "scalar", 0.0)
             for v in after]
    problems = verify.compare_events(before, after)
    assert "events: tag(s) written only by before.py: ['note']" in problems
    assert "events: tag(s) written only by after.py: ['extra']" in problems
    assert "events: tag 'clip' is audio in before.py (TF1) but scalar in after.py (TF2)" \
        in problems
    del np


def test_histograms_compare_count_range_and_bucket_mass(tmp_path):
    data = [0.1, 0.2, 0.2, 1.5]

    def histograms(tf1_data, tf2_data):
        _write_events(tmp_path / "a" / "events.out.tfevents.1.h",
                      [_event(0, _tf1_histogram("w", tf1_data))])
        _write_events(tmp_path / "b" / "events.out.tfevents.1.h",
                      [_event(0, _tf2_histogram("w", tf2_data))])
        return _read(tmp_path / "a"), _read(tmp_path / "b")

    assert verify.compare_events(*histograms(data, data)) == []
    # same count, min and max, but mass moved from 0.2 to 1.4: only the buckets tell
    (problem,) = verify.compare_events(*histograms(data, [0.1, 0.2, 1.4, 1.5]))
    assert problem.startswith("events: tag 'w' step 0: histogram buckets: before has at least 3 "
                              "values below ")
    (problem,) = verify.compare_events(*histograms(data, [0.1, 0.2, 0.2, 1.6]))
    assert problem.startswith("events: tag 'w' step 0: histogram maximum: 1.5 != 1.6")
    problems = verify.compare_events(*histograms(data, data[:3]))
    assert problems[0].startswith("events: tag 'w' step 0: histogram count: 4.0 != 3.0")
    # within the tolerance, values on a TF1 bucket limit may fall on either side of it
    nudged = [x + 1e-7 for x in data]
    assert verify.compare_events(*histograms(data, nudged), verify.Options(tolerance=1e-6)) \
        == []


def test_histogram_bounds_are_exact_when_buckets_nest():
    # TF1: [-inf, 1) holds 2, [1, 2) holds 1; TF2 (closed buckets): [0, 0.75] 2, [0.75, 1.5] 1
    tf1 = verify.Histogram(3, 0.0, 1.5, ((-float("inf"), 1.0, 2), (1.0, 2.0, 1)), True)
    tf2 = verify.Histogram(3, 0.0, 1.5, ((0.0, 0.75, 2), (0.75, 1.5, 1)), False)
    assert tf1.below(1.0) == (2, 2) and tf1.below(1.5) == (2, 3)
    assert tf2.below(0.75) == (0, 2) and tf2.below(1.6) == (3, 3)
    assert verify._compare_histograms(tf1, tf2, 1e-6, 0.0, "h") == []
    # [0, 0.75] 1, [0.75, 1.5] 2 may still hold 2 values below 1: consistent
    loose = verify.Histogram(3, 0.0, 1.5, ((0.0, 0.75, 1), (0.75, 1.5, 2)), False)
    assert verify._compare_histograms(tf1, loose, 1e-6, 0.0, "h") == []
    # but [0, 0.6] 1, [0.6, 1.2] 0, [1.2, 1.5] 2 holds at most 1 below 1
    wrong = verify.Histogram(3, 0.0, 1.5, ((0.0, 0.6, 1), (0.6, 1.2, 0), (1.2, 1.5, 2)), False)
    (problem,) = verify._compare_histograms(tf1, wrong, 1e-6, 0.0, "h")
    assert "before has at least 2 values below 1" in problem


def test_events_option_is_validated(tmp_path):
    (tmp_path / "fixture.json").write_text('{"events": "logs"}')
    assert verify.load_options(tmp_path).events == "logs"
    for bad in ('"/abs"', '"../up"', '""', "3"):
        (tmp_path / "fixture.json").write_text(f'{{"events": {bad}}}')
        with pytest.raises(verify.FixtureError, match="events must be a directory"):
            verify.load_options(tmp_path)
    assert verify.Options().events is None


BEFORE = """import json
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [])
tf.summary.scalar("loss", x * 2.0)
tf.summary.histogram("h", tf.stack([x, x * x, -x]))
merged = tf.summary.merge_all()
with tf.Session() as sess:
    writer = tf.summary.FileWriter("logs", sess.graph)
    for step in range(3):
        writer.add_summary(sess.run(merged, {x: step + 0.5}), step)
    writer.close()
print("RESULT steps", 3)
"""

AFTER = """import sys
import tensorflow as tf

writer = tf.summary.create_file_writer("logs")
bad = sys.argv[1:] == ["bad"]
with writer.as_default():
    for step in range(3):
        x = tf.constant(step + 0.5)
        tf.summary.scalar("loss", x * 2.0 + (1e-3 if bad and step == 2 else 0.0), step=step)
        tf.summary.histogram("h", tf.stack([x, x * x, -x]), step=step)
writer.close()
print("RESULT steps", 3)
"""


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="TensorFlow is not installed")
def test_harness_compares_event_files_of_both_runtimes(tmp_path):
    (tmp_path / "before.py").write_text(BEFORE)
    (tmp_path / "after.py").write_text(AFTER)
    (tmp_path / "fixture.json").write_text(json.dumps({"events": "logs"}))
    (same,) = verify.verify_fixture(tmp_path)
    assert same.ok, same.report()
    assert [v.kind for v in same.before.events] == ["scalar", "histogram"] * 3
    assert [(v.step, v.value) for v in same.after.events if v.kind == "scalar"] == [
        (0, 1.0), (1, 3.0), (2, 5.0)]
    # the same after.py writing another loss at step 2 fails the comparison
    bad = verify.run_program(AFTER, "tf2", ["bad"], events="logs")
    (problem,) = verify.compare_events(same.before.events, bad.events)
    assert problem.startswith("events: tag 'loss' step 2: 5.0 != 5.00")
    # a program that writes no event file fails a fixture with "events"
    silent = verify._compare_run("x", same.before, verify.ProgramRun(
        "after.py (TF2)", (), 0, "RESULT steps 3\n", "", {"steps": 3}, [], []),
        verify.load_options(tmp_path))
    assert silent.problems[0] == ("after.py (TF2) wrote no summary value to an event file "
                                  "under 'logs'")


# -- rules/summaries.py --------------------------------------------------------------------------

def _call(text: str) -> tuple[cst.Call, str]:
    call = cst.parse_expression(text)
    return call, "tensorflow" + cst.Module([]).code_for_node(call.func)[2:]


@pytest.mark.parametrize("source, expected", [
    ('tf.summary.scalar("loss", loss)', 'tf.summary.scalar("loss", loss, step=step)'),
    ('tf.summary.scalar(name="loss", tensor=loss, collections=None)',
     'tf.summary.scalar(name="loss", data=loss, step=step)'),
    ('tf.summary.scalar("loss", loss, [tf.GraphKeys.SUMMARIES])',
     'tf.summary.scalar("loss", loss, step=step)'),
    ('tf.summary.histogram("w", values=w)', 'tf.summary.histogram("w", data=w, step=step)'),
    ('tf.summary.image("x", images, 2)',
     'tf.summary.image("x", images, step=step, max_outputs=2)'),
    ('tf.summary.image("x", images)', 'tf.summary.image("x", images, step=step)'),
    ('tf.summary.audio("a", clips, 16000, max_outputs=1)',
     'tf.summary.audio("a", clips, 16000, step=step, max_outputs=1)'),
    ('tf.summary.text("note", tf.constant("hi"))',
     'tf.summary.text("note", tf.constant("hi"), step=step)'),
])
def test_v2_summary_call(source, expected):
    call, qualname = _call(source)
    assert v2_summary_call(call, qualname, "tf", "step") == expected
    assert unconvertible_reason(call, qualname) is None
    # the compat.v1 spelling and another TensorFlow alias
    assert v2_summary_call(call, qualname.replace("tensorflow.", "tensorflow.compat.v1."),
                           "tensorflow", "global_step") == \
        expected.replace("tf.summary", "tensorflow.summary").replace("step=step",
                                                                     "step=global_step")


@pytest.mark.parametrize("source, reason", [
    ('tf.summary.scalar("loss", loss, family="train")', "`family=` makes the TF1 tag"),
    ('tf.summary.scalar("loss", loss, ["mine"])', "`collections=` puts the summary"),
    ('tf.summary.scalar(*args)', "`*` arguments cannot be mapped"),
    ('tf.summary.scalar("loss")', "argument `tensor` is missing"),
    ('tf.summary.scalar("loss", loss, step=3)', "already has `step=`"),
    ('tf.summary.text("t", s, bogus=1)', "unknown argument `bogus=`"),
])
def test_v2_summary_call_refuses(source, reason):
    call, qualname = _call(source)
    assert v2_summary_call(call, qualname, "tf", "step") is None
    assert reason in unconvertible_reason(call, qualname)


def test_v2_summary_call_only_for_v1_summaries():
    call, _ = _call('tf.summary.scalar("loss", loss)')
    assert v2_summary_call(call, "tensorflow.summary.merge_all", "tf", "step") is None
    assert v2_summary_call(call, "tensorflow.summary.experimental.scalar", "tf", "s") is None


@pytest.mark.parametrize("source, expected", [
    ('tf.summary.FileWriter("logs", sess.graph)', 'tf.summary.create_file_writer("logs")'),
    ('tf.summary.FileWriter(logdir=d, graph=tf.get_default_graph(), flush_secs=30)',
     'tf.summary.create_file_writer(logdir=d, flush_millis=30000)'),
    ('tf.summary.FileWriter(d, None, 5, 0.5, None, ".x")',
     'tf.summary.create_file_writer(d, max_queue=5, flush_millis=500, filename_suffix=".x")'),
    ('tf.summary.FileWriter(d, flush_secs=FLAGS.secs + 1)',
     'tf.summary.create_file_writer(d, flush_millis=int((FLAGS.secs + 1) * 1000))'),
    ('tf.summary.FileWriter(d, flush_secs=FLAGS.secs)',
     'tf.summary.create_file_writer(d, flush_millis=int(FLAGS.secs * 1000))'),
])
def test_file_writer_call(source, expected):
    call, qualname = _call(source)
    assert file_writer_call(call, qualname, "tf") == expected


def test_file_writer_call_refuses_session_writers():
    call, qualname = _call("tf.summary.FileWriter(d, session=sess)")
    assert file_writer_call(call, qualname, "tf") is None
    assert "`session=`" in unconvertible_reason(call, qualname)
    call, qualname = _call("tf.summary.FileWriter(graph=g)")
    assert file_writer_call(call, qualname, "tf") is None
    assert unconvertible_reason(call, qualname) == "argument `logdir` is missing"


@pytest.mark.parametrize("source, constructor, update", [
    ("tf.metrics.accuracy(labels, predictions)", "tf.keras.metrics.Accuracy()",
     "labels, predictions"),
    ("tf.metrics.accuracy(y, tf.argmax(logits, 1), weights=w, name='acc')",
     "tf.keras.metrics.Accuracy(name='acc')", "y, tf.argmax(logits, 1), sample_weight=w"),
    ("tf.metrics.mean(loss)", "tf.keras.metrics.Mean()", "loss"),
    ("tf.metrics.mean(values=loss, weights=None)", "tf.keras.metrics.Mean()", "loss"),
    ("tf.metrics.precision(y, scores, w)", "tf.keras.metrics.Precision(thresholds=0.0)",
     "y, tf.cast(scores, tf.bool), sample_weight=w"),
    ("tf.metrics.recall(y, tf.argmax(p, 1))", "tf.keras.metrics.Recall(thresholds=0.0)",
     "y, tf.argmax(p, 1)"),
    ("tf.metrics.true_positives(y, p > 0.5)",
     "tf.keras.metrics.TruePositives(thresholds=0.0)", "y, p > 0.5"),
    ("tf.metrics.false_negatives(y, tf.equal(a, b))",
     "tf.keras.metrics.FalseNegatives(thresholds=0.0)", "y, tf.equal(a, b)"),
    ("tf.metrics.precision_at_thresholds(y, p, [0.3, 0.6])",
     "tf.keras.metrics.Precision(thresholds=[0.3, 0.6])", "y, p"),
    ("tf.metrics.auc(y, p)", "tf.keras.metrics.AUC()", "y, p"),
    ("tf.metrics.auc(y, p, w, 50, curve='PR', summation_method='careful_interpolation')",
     "tf.keras.metrics.AUC(num_thresholds=50, curve='PR')", "y, p, sample_weight=w"),
    ("tf.metrics.auc(y, p, summation_method='minoring')",
     "tf.keras.metrics.AUC(summation_method='minoring')", "y, p"),
    ("tf.metrics.mean_squared_error(y, p)", "tf.keras.metrics.Mean()",
     "tf.math.squared_difference(y, p)"),
    ("tf.metrics.mean_absolute_error(y, a + b)", "tf.keras.metrics.Mean()",
     "tf.abs((a + b) - y)"),
    ("tf.metrics.root_mean_squared_error(y, p, weights=w)",
     "tf.keras.metrics.RootMeanSquaredError()", "y, p, sample_weight=w"),
    ("tf.metrics.mean_relative_error(y, p, n)", "tf.keras.metrics.Mean()",
     "tf.math.divide_no_nan(tf.abs(y - p), n)"),
    ("tf.metrics.percentage_below(v, 0.5)", "tf.keras.metrics.Mean()",
     "tf.cast(v < 0.5, tf.float32)"),
    ("tf.metrics.mean_iou(y, p, 3)", "tf.keras.metrics.MeanIoU(num_classes=3)", "y, p"),
])
def test_keras_metric(source, constructor, update):
    call, qualname = _call(source)
    plan = keras_metric(call, qualname, "tf")
    assert isinstance(plan, MetricPlan)
    assert (plan.constructor, plan.update_args) == (constructor, update)
    assert plan.keras_class == constructor.split("(")[0].rsplit(".", 1)[1]
    for text in (plan.constructor, f"m.update_state({plan.update_args})"):
        cst.parse_expression(text)


@pytest.mark.parametrize("source, reason", [
    ("tf.metrics.auc(y, p, curve='PR')", "'trapezoidal' summation has no Keras equivalent"),
    ("tf.metrics.auc(y, p, curve=c)", "must be literal strings"),
    ("tf.metrics.accuracy(y, p, metrics_collections=['m'])", "`metrics_collections=`"),
    ("tf.metrics.mean_tensor(v)", "no MeanTensor"),
    ("tf.metrics.sensitivity_at_specificity(y, p, 0.9)", "another rule than TF1"),
    ("tf.metrics.precision_at_thresholds(y, p)", "argument `thresholds` is missing"),
    ("tf.metrics.accuracy(**kw)", "`**` arguments cannot be mapped"),
])
def test_keras_metric_refuses(source, reason):
    call, qualname = _call(source)
    assert keras_metric(call, qualname, "tf") is None
    assert reason in unconvertible_reason(call, qualname)


def test_keras_metric_only_for_tf_metrics():
    call, _ = _call("tf.metrics.accuracy(y, p)")
    assert keras_metric(call, "tensorflow.keras.metrics.Accuracy", "tf") is None
    assert unconvertible_reason(call, "tensorflow.nn.relu") is None
