// Package hubtest serves repositories the way the Hugging Face hub does
// (the info API and resolve URLs with ETags) from 127.0.0.1, so that the
// download path is tested without the internet.
package hubtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
)

// Commit is the commit hash every served repository is at.
const Commit = "0123456789abcdef0123456789abcdef01234567"

// Server is a fake hub; Requests counts the HTTP requests it answered.
type Server struct {
	*httptest.Server
	Requests atomic.Int64
}

// New serves repo ("owner/name") holding files (path -> contents).
func New(repo string, files map[string][]byte) *Server {
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/models/"+repo+"/revision/", func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		var siblings []map[string]string
		var names []string
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			siblings = append(siblings, map[string]string{"rfilename": name})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": repo, "modelId": repo, "sha": Commit, "siblings": siblings})
	})
	prefix := "/" + repo + "/resolve/" + Commit + "/"
	mux.HandleFunc("/"+repo+"/resolve/", func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		data, found := files[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(data)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("X-Repo-Commit", Commit)
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(data)
	})
	s.Server = httptest.NewServer(mux)
	return s
}
