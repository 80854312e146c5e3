# syntax=docker/dockerfile:1
# The reference inference service as a container image (issue 13). Not built here: this machine has a docker client
# but no engine. What the runtime stage copies, 'make publish-service' writes with the same command, and
# 'make publish-service-test' runs from that folder alone, read-only.
#
#   docker build -t toolchain-service .                          # model mounted at /models (a Triton repository)
#   docker run --read-only --tmpfs /tmp -p 8080:8080 -v "$PWD/repo:/models:ro" toolchain-service
#   docker build --target baked --build-arg MODEL=artifacts/cnn/model.onnx -t toolchain-service:cnn .   # model inside
#
# Ports and probe paths are the service's own constants (ServiceApp.ContainerPort, ServiceHealth.LivePath); the tests
# in tests/Toolchain.Inference.Service.Tests/Deploy read this file and check that they agree.

ARG DOTNET_VERSION=10.0

# --- build: the SDK restores and publishes only the service and the two libraries it references ---
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# Project files first, so the restore layer is reused until a project or package version changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig LICENSE ./
COPY shared/Toolchain.Contracts/Toolchain.Contracts.csproj shared/Toolchain.Contracts/
COPY inference/Toolchain.Inference/Toolchain.Inference.csproj inference/Toolchain.Inference/
COPY inference/Toolchain.Inference.Service/Toolchain.Inference.Service.csproj inference/Toolchain.Inference.Service/
RUN dotnet restore inference/Toolchain.Inference.Service -r linux-x64
COPY shared/Toolchain.Contracts/ shared/Toolchain.Contracts/
COPY inference/Toolchain.Inference/ inference/Toolchain.Inference/
COPY inference/Toolchain.Inference.Service/ inference/Toolchain.Inference.Service/
RUN dotnet publish inference/Toolchain.Inference.Service -c Release -r linux-x64 --self-contained false --no-restore \
      --nologo -o /app

# --- base: the ASP.NET Core runtime, the published folder, a non-root user ---
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS base
WORKDIR /app
COPY --from=build /app ./
# Listen on every interface inside the container (the service's own default is loopback only). No diagnostics IPC
# socket, so nothing needs writing with a read-only root file system; /tmp stays a tmpfs or emptyDir all the same.
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_EnableDiagnostics=0 \
    Classifier__Provider=Cpu
EXPOSE 8080
# The images' unprivileged user (uid 1654), never root.
USER $APP_UID
# The runtime image has no curl or wget: bash's /dev/tcp asks the Open Inference Protocol's liveness endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /v2/health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM starts the drain (Shutdown:Drain, then Shutdown:RequestTimeout); docker stop's 10 s default is too short
# for the defaults (5 s + 10 s): use 'docker stop -t 20' or stop_grace_period: 20s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["./Toolchain.Inference.Service"]

# --- baked: the model inside the image, as a one-model repository ---
FROM base AS baked
ARG MODEL=artifacts/cnn/model.onnx
ARG MODEL_NAME=cnn
COPY --chown=root:root ${MODEL} /models/${MODEL_NAME}/1/model.onnx
CMD ["--model-repository", "/models"]

# --- service (default): the model mounted at /models, e.g. a repository from 'infer export triton' ---
FROM base AS service
CMD ["--model-repository", "/models"]
