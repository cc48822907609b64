package delivery

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sumA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // sha256 of ""

func TestParseFiles(t *testing.T) {
	for _, tt := range []struct {
		name, raw, want, err string
	}{
		{"array", `[{"name":"pieces.csv","sha256":"` + sumA + `","rows":0},{"path":"pieces.parquet","sha256":"` + strings.ToUpper(sumA) + `"}]`, "pieces.csv pieces.parquet", ""},
		{"object", `{"pieces.csv":{"sha256":"` + sumA + `","rows":3},"pieces.parquet":{"sha256":"` + sumA + `"}}`, "pieces.csv pieces.parquet", ""},
		{"missing", ``, "", `no "files" list`},
		{"path escape", `[{"name":"../x","sha256":"` + sumA + `"}]`, "", "bad file name"},
		{"manifest listed", `[{"name":"manifest.json","sha256":"` + sumA + `"}]`, "", "bad file name"},
		{"bad sum", `[{"name":"pieces.csv","sha256":"abc"}]`, "", "not 64 hex digits"},
		{"twice", `[{"name":"a","sha256":"` + sumA + `"},{"file":"a","sha256":"` + sumA + `"}]`, "", "listed twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files, err := parseFiles([]byte(tt.raw))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range files {
				names = append(names, f.name)
				if f.sha256 != sumA {
					t.Errorf("%s: sha256 %s", f.name, f.sha256)
				}
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("files %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendDeliveryKeepsManifest(t *testing.T) {
	dir := t.TempDir()
	in := "{\n  \"batch_id\": \"B1\",\n  \"files\": [\n    {\n      \"name\": \"pieces.csv\",\n      \"sha256\": \"" + sumA + "\"\n    }\n  ],\n  \"deliveries\": [],\n  \"created_at\": \"2026-01-02T03:04:05Z\"\n}\n"
	p := filepath.Join(dir, ManifestFile)
	if err := os.WriteFile(p, []byte(in), 0o640); err != nil {
		t.Fatal(err)
	}
	r := Record{Vendor: "v", Host: "h:22", RemoteDir: "in/B1", Files: []string{"pieces.csv", "manifest.json"}, SHA256: sumA, DeliveredAt: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)}
	for range 2 {
		if err := AppendDelivery(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(p)
	rec := `{
      "vendor": "v",
      "host": "h:22",
      "remote_dir": "in/B1",
      "files": [
        "pieces.csv",
        "manifest.json"
      ],
      "sha256": "` + sumA + `",
      "delivered_at": "2026-01-02T03:04:06Z"
    }`
	want := strings.Replace(in, `"deliveries": []`, "\"deliveries\": [\n    "+rec+",\n    "+rec+"\n  ]", 1)
	if string(got) != want {
		t.Errorf("manifest after two appends:\n%s\nwant:\n%s", got, want)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}

	// A manifest without the array gets one, at the end.
	if err := os.WriteFile(p, []byte(`{"batch_id":"B1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AppendDelivery(dir, r); err != nil {
		t.Fatal(err)
	}
	if _, err := readBatch(dir); err == nil || !strings.Contains(err.Error(), `no "files"`) {
		t.Fatalf("readBatch without files: %v", err)
	}
	got, _ = os.ReadFile(p)
	if !strings.HasPrefix(string(got), "{\n  \"batch_id\": \"B1\",\n  \"deliveries\": [\n    {\n      \"vendor\": \"v\"") {
		t.Errorf("manifest:\n%s", got)
	}
}

func TestBatchDirs(t *testing.T) {
	out := t.TempDir()
	for _, d := range []string{"batches/B2", "batches/B1", "batches/empty"} {
		os.MkdirAll(filepath.Join(out, d), 0o755)
	}
	for _, d := range []string{"batches/B2", "batches/B1"} {
		os.WriteFile(filepath.Join(out, d, ManifestFile), []byte("{}"), 0o644)
	}
	rel := func(dirs []string) string {
		var s []string
		for _, d := range dirs {
			r, _ := filepath.Rel(out, d)
			s = append(s, r)
		}
		return strings.Join(s, " ")
	}
	for arg, want := range map[string]string{
		out:                                 "batches/B1 batches/B2",
		filepath.Join(out, "batches"):       "batches/B1 batches/B2",
		filepath.Join(out, "batches", "B2"): "batches/B2",
	} {
		dirs, err := BatchDirs(arg)
		if err != nil || rel(dirs) != want {
			t.Errorf("BatchDirs(%s) = %q, %v; want %q", arg, rel(dirs), err, want)
		}
	}
	if _, err := BatchDirs(filepath.Join(out, "batches", "empty")); err == nil {
		t.Error("BatchDirs of a directory without batches succeeded")
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c := Config{Addr: "sftp.example"}.withDefaults()
		if c.Addr != "sftp.example:22" || c.Timeout != DefaultTimeout || c.Retries != DefaultRetries || c.Backoff != DefaultBackoff || c.Logger == nil {
			t.Errorf("withDefaults = %+v", c)
		}
		if c := (Config{Retries: -1}).withDefaults(); c.Retries != 0 {
			t.Errorf("Retries -1 became %d, want 0 (no retry)", c.Retries)
		}
		var waits []time.Duration
		for n := 1; n <= 7; n++ {
			waits = append(waits, c.backoff(n))
		}
		if waits[0] != time.Second || waits[1] != 2*time.Second || waits[6] != DefaultMaxBackoff {
			t.Errorf("backoffs %v", waits)
		}
	})
	t.Run("Validate", func(t *testing.T) {
		err := Config{}.Validate()
		for _, want := range []string{"no server address", "no user", "no password and no key file", "no known_hosts file"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Validate() = %v, want it to say %q", err, want)
			}
		}
		ok := Config{Addr: "h:22", User: "u", Password: "p", InsecureIgnoreHostKey: true}
		if err := ok.Validate(); err != nil {
			t.Error(err)
		}
		ok.KnownHostsFile = "kh"
		if err := ok.Validate(); err == nil {
			t.Error("known_hosts with InsecureIgnoreHostKey accepted")
		}
	})
}

func TestTransient(t *testing.T) {
	if transient(ErrHostKeyMismatch) || transient(errors.New("permission denied")) || !transient(os.ErrDeadlineExceeded) {
		t.Error("transient misclassifies")
	}
}

func TestRunDir(t *testing.T) {
	run := t.TempDir()
	batch := filepath.Join(run, BatchesDir, "b-1")
	other := filepath.Join(t.TempDir(), "b-2")
	for _, d := range []string{batch, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ dir, want string }{
		{run, run},
		{batch, run},
		{batch + "/", run},
		{other, ""},
	} {
		if got := RunDir(tt.dir); got != tt.want {
			t.Errorf("RunDir(%s) = %q, want %q", tt.dir, got, tt.want)
		}
	}
}
