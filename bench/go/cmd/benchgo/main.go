// Command benchgo is the reference side of `npm run bench`: the official Go client and
// listener (github.com/actions/scaleset v0.4.0) driven against our emulator.
//
//	benchgo idle    --ids 1,2,3             N listeners with a trivial scaler, until SIGTERM
//	benchgo scaler  --ids 7 --max-runners M the listener + the dockerscaleset example's scaler
//	                                        logic with a no-op start that prints a timestamp
//	benchgo client  --ids 1,2 --seconds S   GetMessage/DeleteMessage loops, prints rps and CPU
//
// The PAT comes from BENCH_TOKEN (never a flag). Output: JSON lines on stdout.
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/actions/scaleset"
)

type options struct {
	configURL  string
	caFile     string
	ids        []int
	maxRunners int
	seconds    float64
}

var (
	outMu sync.Mutex
	out   = json.NewEncoder(os.Stdout)
)

// emit writes one JSON line on stdout.
func emit(v any) {
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(v)
}

// nowMs is wall-clock epoch milliseconds with sub-ms precision (same clock as Node's
// performance.timeOrigin + performance.now()).
func nowMs() float64 {
	return float64(time.Now().UnixNano()) / 1e6
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchgo idle|scaler|client [flags]")
		os.Exit(2)
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	var opts options
	var ids string
	fs.StringVar(&opts.configURL, "config-url", "", "config URL of the emulator")
	fs.StringVar(&opts.caFile, "ca-file", "", "PEM root CA of the emulator (TLS)")
	fs.StringVar(&ids, "ids", "", "scale set ids, comma-separated")
	fs.IntVar(&opts.maxRunners, "max-runners", 10, "max runners (scaler) / capacity")
	fs.Float64Var(&opts.seconds, "seconds", 5, "measurement window (client)")
	_ = fs.Parse(os.Args[2:])
	for _, s := range strings.Split(ids, ",") {
		if s == "" {
			continue
		}
		id, err := strconv.Atoi(s)
		if err != nil {
			fail(fmt.Errorf("bad id %q", s))
		}
		opts.ids = append(opts.ids, id)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	client, err := newClient(opts)
	if err != nil {
		fail(err)
	}
	switch mode {
	case "idle":
		err = runIdle(ctx, client, opts)
	case "scaler":
		err = runScaler(ctx, client, opts)
	case "client":
		err = runClient(ctx, client, opts)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	emit(map[string]any{"type": "error", "error": err.Error()})
	os.Exit(1)
}

func newClient(opts options) (*scaleset.Client, error) {
	var httpOpts []scaleset.HTTPOption
	if opts.caFile != "" {
		pem, err := os.ReadFile(opts.caFile)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(pem)
		httpOpts = append(httpOpts, scaleset.WithRootCAs(pool))
	}
	return scaleset.NewClientWithPersonalAccessToken(scaleset.NewClientWithPersonalAccessTokenConfig{
		GitHubConfigURL:     opts.configURL,
		PersonalAccessToken: os.Getenv("BENCH_TOKEN"),
		SystemInfo:          scaleset.SystemInfo{System: "scaleset-bench", Subsystem: "reference"},
	}, httpOpts...)
}

// cpuMs is this process's user+system CPU time in ms.
func cpuMs() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}
