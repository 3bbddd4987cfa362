# Entry script: builds both nets, trains each with its own optimizer on its own variables.
import tensorflow as tf

from models import discriminator, generator

z = tf.placeholder(tf.float32, [None, 3])
real = tf.placeholder(tf.float32, [None, 4])
fake = generator(z)
d_real = discriminator(real)
d_fake = discriminator(fake, reuse=True)
g_vars = [v for v in tf.trainable_variables() if v.name.startswith("generator/")]
d_vars = [v for v in tf.trainable_variables() if v.name.startswith("discriminator/")]
d_loss = tf.reduce_mean(d_real) - tf.reduce_mean(d_fake)
g_loss = tf.reduce_mean(d_fake)
step = tf.Variable(0, name="global_step", trainable=False)
d_opt = tf.train.MomentumOptimizer(0.01, 0.9).minimize(d_loss, var_list=d_vars)
g_opt = tf.train.AdamOptimizer(1e-3, name="g_adam").minimize(g_loss, var_list=g_vars, global_step=step)
