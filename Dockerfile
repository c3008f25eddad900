# proxybench as a container image (docs/kubernetes.md). Two stages: the builder has the dev
# dependencies (TypeScript) and compiles dist/; the image keeps dist/ and the runtime dependencies.
# The base is Node 24 LTS, one of the two supported lines, on Debian's slim variant.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script builds, and the sources are not copied yet; the build runs
# below, once they are.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json index.ts ./
COPY core ./core
COPY harness ./harness
COPY reports ./reports
COPY scenarios ./scenarios
COPY mock-targets ./mock-targets
COPY bench ./bench
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no compiler or test tools in the image. --ignore-scripts: `prepare` would run the
# TypeScript build, which is already done; no runtime dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's own unprivileged user (uid 1000): the harness needs no privilege, and the Kubernetes
# manifests run it with runAsNonRoot.
USER node
# node, not npx: the package is not in its own node_modules/.bin, so npx would look for proxybench
# in the registry at every start; and node as PID 1 receives the SIGTERM/SIGINT of `docker stop` and
# Kubernetes itself, which proxybench answers by stopping cleanly and writing its partial report.
ENTRYPOINT ["node", "/app/dist/harness/cli/main.js"]
CMD ["--help"]
