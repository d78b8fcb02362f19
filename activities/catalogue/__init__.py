"""The catalogue: metrics, channels, products, lost reasons, pipelines and stages."""
