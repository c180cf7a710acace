# gwctl's container image: what `gwctl backup schedule` runs as a Kubernetes CronJob.
#   docker build -t gwctl:$(node -p "require('./package.json').version") .
#   docker run --rm -v $PWD/gwctl.yaml:/etc/gwctl/gwctl.yaml:ro -e GWCTL_CONFIG=/etc/gwctl/gwctl.yaml gwctl backup list --env prod

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/emulators/package.json ./packages/emulators/
# --ignore-scripts: the `node` devDependency (Node 22 for machines with an older one) would download a
# second Node; this image already has 22. `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.base.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts/bundle-config-parser.js ./scripts/
COPY src ./src
COPY packages/emulators/tsconfig.json ./packages/emulators/
COPY packages/emulators/src ./packages/emulators/src
# The build script's steps, with the image's own node (node_modules/.bin/node is not installed).
RUN node node_modules/typescript/bin/tsc -b tsconfig.build.json && node scripts/bundle-config-parser.js && node node_modules/oclif/bin/run.js manifest

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/packages/emulators/package.json ./packages/emulators/
COPY --from=build /app/packages/emulators/dist ./packages/emulators/dist
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/oclif.manifest.json ./
COPY bin ./bin
RUN ln -s /app/bin/run.js /usr/local/bin/gwctl && mkdir -p /var/lib/gwctl && chown node:node /var/lib/gwctl
# uid 1000, as the CronJob's securityContext expects; state (audit log) and the compile cache go to
# $GWCTL_HOME and /tmp, both writable volumes when the root filesystem is read-only.
USER node
ENV GWCTL_HOME=/var/lib/gwctl
ENTRYPOINT ["gwctl"]
CMD ["--help"]
