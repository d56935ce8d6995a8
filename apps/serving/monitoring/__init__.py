"""Model monitoring: PSI drift per feature and on the score, score shift, latency, alerts on breach."""
