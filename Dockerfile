# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies, compiled code and templates only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY views ./views
COPY ecosystem.config.js ./
# var/exports exists (owned by node) so a named volume mounted there starts writable.
RUN mkdir -p var/log var/mail var/exports && chown -R node:node var
USER node
EXPOSE 8002
CMD ["node_modules/.bin/pm2-runtime", "ecosystem.config.js"]
