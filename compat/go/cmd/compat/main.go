// Command compat drives the reference Go client (github.com/actions/scaleset) against a
// scale set service (our emulator) through named scenarios and prints one JSON line per
// scenario result on stdout.
//
// Secrets come from the environment, never from flags:
//
//	COMPAT_TOKEN         personal access token accepted by the emulator
//	COMPAT_APP_KEY_FILE  PEM file with the GitHub App private key (app-auth scenario)
//
// Scenarios that need the service to change state (queue jobs, expire tokens) ask the
// orchestrator through a line protocol: the program writes
// {"type":"hook","name":...,"args":{...}} on stdout and waits for one JSON line on
// stdin ({"ok":true} or {"ok":false,"error":"..."}).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/actions/scaleset"
)

type options struct {
	configURL         string
	appClientID       string
	appInstallationID int64
	runnerCmd         string
	caFile            string
	jobs              int
	token             string
	appKey            string
}

type scenario struct {
	name    string
	timeout time.Duration
	run     func(ctx context.Context, env *env) (map[string]any, error)
}

// env is what a scenario gets: options, a hook channel and helpers.
type env struct {
	opts options
	hook func(name string, args map[string]any) error
}

var systemInfo = scaleset.SystemInfo{
	System:    "scaleset-compat",
	Version:   "0.0.0",
	CommitSHA: "compat",
	Subsystem: "compat",
}

var (
	outMu sync.Mutex
	stdin = bufio.NewReader(os.Stdin)
)

func emit(v any) {
	outMu.Lock()
	defer outMu.Unlock()
	b, _ := json.Marshal(v)
	fmt.Fprintln(os.Stdout, string(b))
}

// callHook asks the orchestrator to act on the service and waits for its answer.
func callHook(name string, args map[string]any) error {
	emit(map[string]any{"type": "hook", "name": name, "args": args})
	line, err := stdin.ReadString('\n')
	if err != nil {
		return fmt.Errorf("hook %s: no answer from orchestrator: %w", name, err)
	}
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(line), &answer); err != nil {
		return fmt.Errorf("hook %s: bad answer: %w", name, err)
	}
	if !answer.OK {
		return fmt.Errorf("hook %s failed: %s", name, answer.Error)
	}
	return nil
}

func main() {
	var opts options
	var name string
	flag.StringVar(&name, "scenario", "all", "scenario name or all")
	flag.StringVar(&opts.configURL, "config-url", "", "config URL, e.g. http://127.0.0.1:PORT/emulated-org")
	flag.StringVar(&opts.appClientID, "app-client-id", "", "GitHub App client ID (app-auth scenario)")
	flag.Int64Var(&opts.appInstallationID, "app-installation-id", 0, "GitHub App installation ID")
	flag.StringVar(&opts.runnerCmd, "runner-cmd", "", "fake runner executable (run.sh); JIT config in ACTIONS_RUNNER_INPUT_JITCONFIG")
	flag.StringVar(&opts.caFile, "ca-file", "", "extra PEM root CA (the emulator's self-signed certificate in TLS mode)")
	flag.IntVar(&opts.jobs, "jobs", 5, "jobs the listener lifecycle scenario must complete")
	list := flag.Bool("list", false, "print scenario names and exit")
	flag.Parse()

	if *list {
		for _, s := range scenarios {
			fmt.Println(s.name)
		}
		return
	}
	opts.token = os.Getenv("COMPAT_TOKEN")
	if keyFile := os.Getenv("COMPAT_APP_KEY_FILE"); keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cannot read COMPAT_APP_KEY_FILE:", err)
			os.Exit(2)
		}
		opts.appKey = string(b)
	}
	if opts.configURL == "" {
		fmt.Fprintln(os.Stderr, "--config-url is required")
		os.Exit(2)
	}

	selected := scenarios
	if name != "all" {
		selected = nil
		for _, s := range scenarios {
			if s.name == name {
				selected = append(selected, s)
			}
		}
		if len(selected) == 0 {
			names := make([]string, 0, len(scenarios))
			for _, s := range scenarios {
				names = append(names, s.name)
			}
			fmt.Fprintf(os.Stderr, "unknown scenario %q (known: %s)\n", name, strings.Join(names, ", "))
			os.Exit(2)
		}
	}

	failed := false
	for _, s := range selected {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		started := time.Now()
		details, err := s.run(ctx, &env{opts: opts, hook: callHook})
		cancel()
		result := map[string]any{
			"type":       "result",
			"name":       s.name,
			"ok":         err == nil,
			"durationMs": time.Since(started).Milliseconds(),
		}
		if details != nil {
			result["details"] = details
		}
		if err != nil {
			failed = true
			result["error"] = err.Error()
		}
		emit(result)
	}
	if failed {
		os.Exit(1)
	}
}
