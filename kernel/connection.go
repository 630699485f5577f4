package kernel

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
)

// ConnectionInfo is the content of a Jupyter connection file.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionInfo reads and checks a connection file written by Jupyter.
func ReadConnectionInfo(path string) (*ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading connection file: %w", err)
	}
	var ci ConnectionInfo
	if err := json.Unmarshal(data, &ci); err != nil {
		return nil, fmt.Errorf("parsing connection file %s: %w", path, err)
	}
	if ci.Transport != "tcp" {
		return nil, fmt.Errorf("connection file %s: transport %q, want \"tcp\"", path, ci.Transport)
	}
	if ci.Key != "" && ci.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("connection file %s: signature_scheme %q, want \"hmac-sha256\"", path, ci.SignatureScheme)
	}
	for name, port := range map[string]int{"shell_port": ci.ShellPort, "control_port": ci.ControlPort,
		"stdin_port": ci.StdinPort, "iopub_port": ci.IOPubPort, "hb_port": ci.HBPort} {
		if port <= 0 || port > 65535 {
			return nil, fmt.Errorf("connection file %s: %s is %d, want a TCP port", path, name, port)
		}
	}
	return &ci, nil
}

// Endpoint returns the ZeroMQ address of one of the ports.
func (ci *ConnectionInfo) Endpoint(port int) string {
	return fmt.Sprintf("%s://%s:%d", ci.Transport, ci.IP, port)
}

// withFreshPorts returns a copy of ci listening on free loopback ports: the
// connection the layer uses to talk to GoNB.
func (ci *ConnectionInfo) withFreshPorts() (*ConnectionInfo, error) {
	inner := *ci
	inner.IP = "127.0.0.1"
	for _, p := range []*int{&inner.ShellPort, &inner.ControlPort, &inner.StdinPort, &inner.IOPubPort, &inner.HBPort} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port for GoNB: %w", err)
		}
		*p = l.Addr().(*net.TCPAddr).Port
		defer l.Close()
	}
	return &inner, nil
}

// write saves ci as a connection file at path.
func (ci *ConnectionInfo) write(path string) error {
	data, err := json.MarshalIndent(ci, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
