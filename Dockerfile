# JupyterLab 4 (from .tlx/venv) with the "Go (tlx)" kernel and the course notebooks.
# It runs the same scripts/setup.sh as a developer machine (no second recipe).
#   docker build -t tlx . && docker run -p 127.0.0.1:8888:8888 tlx
FROM golang:1.26-bookworm
ENV GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
WORKDIR /tlx
COPY . .
RUN apt-get update -q && bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*
EXPOSE 8888
CMD ["/tlx/.tlx/venv/bin/jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--allow-root", "--ServerApp.root_dir=/tlx/notebooks"]
