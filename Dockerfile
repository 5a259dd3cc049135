# Storage V2 node image. Node 20 on Debian (bookworm): ffmpeg for transcoding and nats-server
# for single-container runs come from Debian's packages (nats-server 2.9 there; the compose
# cluster runs nats:2.10 containers).
#
#   docker build -t audius/storage-v2 .                 # runtime image (default, last stage)
#   docker build --target dev -t audius/storage-v2:dev . # with dev dependencies (hot reload)
#   docker build --target storage-archiver -t audius/storage-archiver .   # backup / restore tool

FROM node:20-bookworm-slim AS base
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg nats-server ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app

FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# docker-compose.v2.dev.yml: sources are mounted over /app and rebuilt on change.
FROM build AS dev
ENV NODE_ENV=development
CMD ["node", "dist/bin/storage-node.js"]

# The archiver (issue 12), as the seed's README runs it:
#   docker run -e MODE=BACKUP -e AWS_ACCESS_KEY_ID=… -e AWS_SECRET_ACCESS_KEY=… -e BUCKET_NAME=… \
#     -e storage_driver_url=file:///data/blobs -v node-data:/data audius/storage-archiver
# Flags work too: docker run … audius/storage-archiver restore --from s3://bucket/node1 --to …
FROM build AS storage-archiver
ENV NODE_ENV=production \
    AUDIUS_DATA_DIR=/data \
    storage_driver_url=file:///data/blobs
RUN npm prune --omit=dev --no-audit --no-fund
ENTRYPOINT ["node", "dist/bin/archiver.js"]

# Listening on 0.0.0.0, a node refuses to start without AUDIUS_HOST: the public URL peers and
# clients reach it at (issue 15; they would otherwise be redirected to its 127.0.0.1).
FROM build AS runtime
ENV NODE_ENV=production \
    AUDIUS_LISTEN_HOST=0.0.0.0 \
    AUDIUS_DATA_DIR=/data \
    storage_driver_url=file:///data/blobs
RUN npm prune --omit=dev --no-audit --no-fund && mkdir -p /data
VOLUME /data
EXPOSE 9924
CMD ["node", "dist/bin/storage-node.js"]
