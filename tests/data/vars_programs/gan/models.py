# Generator and discriminator; the discriminator is shared between real and fake inputs.
import tensorflow as tf

from ops import batch_norm, linear


def generator(z):
    with tf.variable_scope("generator"):
        h = tf.nn.relu(batch_norm(linear(z, 8, "h0"), True))
        return tf.nn.tanh(linear(h, 4, "h1"))


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.nn.leaky_relu(linear(x, 8, "h0"))
        return linear(h, 1, "h1")
