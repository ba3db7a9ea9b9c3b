"""svc_images' entrypoints, one module per capability; `svc_images.service` composes them."""
