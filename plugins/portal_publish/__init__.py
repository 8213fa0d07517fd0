"""portal_publish: getting a built site to its readers.

``nginx.server_block`` writes the nginx configuration that serves ``output/`` with the right
headers; ``rclone.publish`` copies it to a web server, an object store or a folder. Both take
their cache lifetimes, content types and security headers from ``policy``.

Not a Pelican plugin: the invoke tasks ``nginx-conf`` and ``publish`` use it after a build.
"""
