# One image for every Go service of the stack: worker (the default), starter,
# crm, platform and codec-server. Compose picks the command per service.
#
#   docker build -t halcytone/contentgen:local .
#   docker run --rm halcytone/contentgen:local -h
#   docker run --rm --entrypoint starter halcytone/contentgen:local -h

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

# Modules change less often than code: keep them in their own layer.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/ \
      ./worker ./starter ./cmd/crm ./cmd/platform ./cmd/codec-server ./cmd/approvals

# Alpine rather than distroless: the healthchecks in docker-compose.yml use
# BusyBox wget, and operators can open a shell in a running service.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 10001 app \
 && adduser -S -D -H -u 10001 -G app -h /app app \
 && mkdir -p /app/.data \
 && chown app:app /app/.data

COPY --from=build /out/ /usr/local/bin/
# Markdown sources resolve relative to the working directory, so
# "markdown:examples/living-document.md" works in the container too.
COPY examples/ /app/examples/

WORKDIR /app
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/worker"]
