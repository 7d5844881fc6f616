"""Softmax regression on synthetic data, written the TensorFlow 1.x way.

The tfmigrate quick-start demo: `tfmigrate check examples/` lists what TF2 removed,
`tfmigrate fix examples/` shows the rewrite as a diff. Random data only, no downloads.
"""
import os

import numpy as np
import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_integer("num_features", 20, "Input dimension.")
flags.DEFINE_integer("num_classes", 4, "Number of classes.")
flags.DEFINE_integer("num_steps", 200, "Training steps.")
flags.DEFINE_integer("batch_size", 64, "Examples per step.")
flags.DEFINE_float("learning_rate", 0.5, "Gradient-descent step size.")
flags.DEFINE_string("output_dir", "/tmp/softmax_tf1", "Where result.txt goes.")
flags.DEFINE_boolean("verbose", False, "Log every 20 steps.")
FLAGS = flags.FLAGS


def make_data(rng, centres, n):
    """Points scattered around their class's centre."""
    labels = rng.randint(0, FLAGS.num_classes, n)
    points = centres[labels] + rng.normal(0.0, 1.0, (n, FLAGS.num_features))
    return points.astype(np.float32), labels.astype(np.int64)


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    if not tf.gfile.Exists(FLAGS.output_dir):
        tf.gfile.MakeDirs(FLAGS.output_dir)
    rng = np.random.RandomState(0)
    centres = rng.normal(0.0, 1.0, (FLAGS.num_classes, FLAGS.num_features))
    train_x, train_y = make_data(rng, centres, 2000)
    test_x, test_y = make_data(rng, centres, 500)

    x = tf.placeholder(tf.float32, [None, FLAGS.num_features], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    w = tf.Variable(tf.zeros([FLAGS.num_features, FLAGS.num_classes]), name="w")
    b = tf.Variable(tf.zeros([FLAGS.num_classes]), name="b")
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(FLAGS.num_steps):
            start = (step * FLAGS.batch_size) % (len(train_x) - FLAGS.batch_size)
            batch = {x: train_x[start:start + FLAGS.batch_size],
                     y: train_y[start:start + FLAGS.batch_size]}
            _, loss_value = sess.run([train_op, loss], feed_dict=batch)
            if FLAGS.verbose and step % 20 == 0:
                tf.logging.info("step %d: loss %.4f", step, loss_value)
        test_accuracy = sess.run(accuracy, feed_dict={x: test_x, y: test_y})

    tf.logging.info("test accuracy: %.3f", test_accuracy)
    if test_accuracy < 0.9:
        tf.logging.warn("accuracy is low; try more --num_steps")
    summary = os.path.join(FLAGS.output_dir, "result.txt")
    with tf.gfile.GFile(summary, "w") as f:
        f.write("test_accuracy %.4f\n" % test_accuracy)
    tf.logging.info("wrote %s", summary)


if __name__ == "__main__":
    tf.app.run(main)
