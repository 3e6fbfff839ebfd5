// Package deploy holds the configuration of the container stack that
// docker-compose.yml at the repository root describes: the PostgreSQL init
// script, Temporal's schema and registration scripts and dynamic config,
// the OpenTelemetry Collector config, the Temporal Cloud override and the
// settings template. Its tests check that these files, the compose file
// and the Dockerfile agree with each other and with the code.
package deploy
