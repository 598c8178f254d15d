// Preloaded (node --import) into every process the benchmark starts, Sesame included: when the
// benchmark goes away, even killed outright, the IPC channel closes and the child stops as well.
// SIGTERM first, so Sesame shuts down as in production (and writes its --cpu-prof profile).
import cluster from 'node:cluster';

// A cluster worker inherits this preload, but its channel is the cluster's: it must keep the worker
// alive, and the worker ends with its primary anyway.
if (process.channel && cluster.isPrimary) {
  process.channel.unref();
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), 5000).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
