package browser_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a Jupyter server (JupyterLab or Notebook 7) started for one test.
type server struct {
	URL   string // http://127.0.0.1:PORT
	Token string
	Root  string // the folder it serves

	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// syncBuffer collects the server's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startJupyter starts app ("lab" or "notebook") from .tlx/venv on a free
// loopback port, serving root, with Jupyter's config and runtime folders
// isolated in the test's temp folder and the kernelspec from
// $JUPYTER_DATA_DIR (kerneltest installs the working tree's kernel there).
// The test stops it, also when it fails. env is added to the kernels'
// environment.
func startJupyter(t *testing.T, app, root string, env ...string) *server {
	t.Helper()
	tlxRoot := os.Getenv("TLX_ROOT")
	jupyter := filepath.Join(tlxRoot, ".tlx", "venv", "bin", "jupyter")
	if _, err := os.Stat(jupyter); err != nil {
		t.Fatalf("no JupyterLab in .tlx/venv (run scripts/setup.sh): %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.MkdirAll(config, 0o755); err != nil {
		t.Fatal(err)
	}
	// No news feed, no update check, no extension listing from PyPI:
	// nothing but loopback.
	if err := os.WriteFile(filepath.Join(config, "jupyter_server_config.json"), []byte(`{
  "LabApp": {"news_url": null, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate", "extension_manager": "readonly"}
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Nor JupyterLab's toast asking whether to fetch Jupyter's news
	// (Notebook 7 has no such plugin and fails on its settings).
	if app == "lab" {
		settings := filepath.Join(config, "lab", "user-settings", "@jupyterlab", "apputils-extension")
		if err := os.MkdirAll(settings, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(settings, "notification.jupyterlab-settings"), []byte(`{"fetchNews": "false"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Token: hex.EncodeToString(tok), Root: root,
		log: &syncBuffer{}, done: make(chan struct{})}
	expose := "--LabApp.expose_app_in_browser=True"
	if app == "notebook" {
		expose = "--JupyterNotebookApp.expose_app_in_browser=True"
	}
	s.cmd = exec.Command(jupyter, app, "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--port-retries=0", "--IdentityProvider.token="+s.Token, "--ServerApp.root_dir="+root, expose)
	if os.Geteuid() == 0 {
		s.cmd.Args = append(s.cmd.Args, "--allow-root") // containers run tests as root
	}
	s.cmd.Env = append(os.Environ(),
		"JUPYTER_CONFIG_DIR="+config,
		"JUPYTER_RUNTIME_DIR="+filepath.Join(home, "runtime"),
		"JUPYTERLAB_SETTINGS_DIR="+filepath.Join(config, "lab", "user-settings"),
		"JUPYTERLAB_WORKSPACES_DIR="+filepath.Join(config, "lab", "workspaces"),
		"IPYTHONDIR="+filepath.Join(home, "ipython"),
		"PYDEVD_DISABLE_FILE_VALIDATION=1")
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting jupyter %s: %v", app, err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.stop(t) })
	if err := s.waitReady(90 * time.Second); err != nil {
		t.Fatalf("jupyter %s on %s: %v\n%s", app, s.URL, err, tail(s.log.String(), 3000))
	}
	return s
}

// waitReady polls the server's status API until it answers.
func (s *server) waitReady(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/status", nil)
		req.Header.Set("Authorization", "token "+s.Token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("server exited before answering")
		case <-ctx.Done():
			return fmt.Errorf("no answer from /api/status within %s", limit)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// stop asks the server to shut down (it stops its kernels), and kills its
// process group if it has not gone within 20 s.
func (s *server) stop(t *testing.T) {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Logf("jupyter did not stop within 20 s of SIGTERM: killing it")
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	if t.Failed() {
		t.Logf("jupyter server log (tail):\n%s", tail(s.log.String(), 4000))
	}
}

// freePort is a loopback port nobody listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
