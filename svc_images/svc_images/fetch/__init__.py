"""Fetching an image from a URL for svc_images, safe against server-side request forgery: the address
check (`addresses`), name resolution as a replaceable part (`resolvers`) and the client that
connects only to the addresses it checked (`client`)."""
