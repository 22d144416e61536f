# The clouddeck binary on a slim Debian: one image for every role (see docker-compose.yml).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p clouddeck

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/clouddeck clouddeck && mkdir -p /var/lib/clouddeck \
    && chown clouddeck /var/lib/clouddeck
COPY --from=build /src/target/release/clouddeck /usr/local/bin/clouddeck
USER clouddeck
ENTRYPOINT ["clouddeck"]
CMD ["up"]
