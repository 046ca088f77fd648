package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/actions/scaleset"
	"github.com/actions/scaleset/listener"
	"github.com/google/uuid"
)

// exampleScaler is examples/dockerscaleset/scaler.go (v0.4.0) with the Docker calls replaced by
// a no-op start that prints a timestamp: same target math, same sequential scale-up loop, same
// JIT config call per runner.
type exampleScaler struct {
	runners        runnerState
	scaleSetID     int
	scalesetClient *scaleset.Client
	minRunners     int
	maxRunners     int
}

func (a *exampleScaler) HandleDesiredRunnerCount(ctx context.Context, count int) (int, error) {
	currentCount := a.runners.count()
	targetRunnerCount := min(a.maxRunners, a.minRunners+count)
	switch {
	case targetRunnerCount == currentCount:
		return currentCount, nil
	case targetRunnerCount > currentCount:
		scaleUp := targetRunnerCount - currentCount
		for range scaleUp {
			if _, err := a.startRunner(ctx); err != nil {
				return 0, fmt.Errorf("failed to start runner: %w", err)
			}
		}
		return a.runners.count(), nil
	default:
	}
	return a.runners.count(), nil
}

func (a *exampleScaler) HandleJobStarted(_ context.Context, jobInfo *scaleset.JobStarted) error {
	a.runners.markBusy(jobInfo.RunnerName)
	return nil
}

func (a *exampleScaler) HandleJobCompleted(_ context.Context, jobInfo *scaleset.JobCompleted) error {
	a.runners.markDone(jobInfo.RunnerName)
	return nil
}

func (a *exampleScaler) startRunner(ctx context.Context) (string, error) {
	name := fmt.Sprintf("runner-%s", uuid.NewString()[:8])
	jit, err := a.scalesetClient.GenerateJitRunnerConfig(
		ctx,
		&scaleset.RunnerScaleSetJitRunnerSetting{Name: name},
		a.scaleSetID,
	)
	if err != nil {
		return "", fmt.Errorf("failed to generate JIT config: %w", err)
	}
	// No-op provider: the container create + start of the example become one timestamp.
	recordStart(nowMs())
	if jit.EncodedJITConfig == "" {
		return "", fmt.Errorf("no JIT config")
	}
	a.runners.addIdle(name, name)
	return name, nil
}

var (
	startsMu sync.Mutex
	starts   []float64
)

// recordStart queues a start timestamp; they are written in batches (as our agent does), so
// reporting costs one write per 5 ms rather than one per start.
func recordStart(t float64) {
	startsMu.Lock()
	defer startsMu.Unlock()
	if len(starts) == 0 {
		time.AfterFunc(5*time.Millisecond, func() {
			startsMu.Lock()
			batch := starts
			starts = nil
			startsMu.Unlock()
			emit(map[string]any{"type": "starts", "t": batch})
		})
	}
	starts = append(starts, t)
}

type runnerState struct {
	mu   sync.Mutex
	idle map[string]string
	busy map[string]string
}

func (r *runnerState) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.idle) + len(r.busy)
}

func (r *runnerState) markBusy(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if state, ok := r.idle[name]; ok {
		delete(r.idle, name)
		r.busy[name] = state
	}
}

func (r *runnerState) markDone(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.busy, name)
	delete(r.idle, name)
}

func (r *runnerState) addIdle(name, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.idle[name] = id
}

// runScaler runs the example's listener + scaler for the first scale set id until SIGTERM.
func runScaler(ctx context.Context, client *scaleset.Client, opts options) error {
	if len(opts.ids) != 1 {
		return errors.New("scaler mode takes exactly one scale set id")
	}
	id := opts.ids[0]
	session, err := client.MessageSessionClient(ctx, id, "bench-go-scaler")
	if err != nil {
		return err
	}
	defer session.Close(context.Background())
	l, err := listener.New(session, listener.Config{ScaleSetID: id, MaxRunners: opts.maxRunners})
	if err != nil {
		return err
	}
	scaler := &exampleScaler{
		runners:        runnerState{idle: map[string]string{}, busy: map[string]string{}},
		scaleSetID:     id,
		scalesetClient: client,
		maxRunners:     opts.maxRunners,
	}
	emit(map[string]any{"type": "ready"})
	if err := l.Run(ctx, scaler); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("listener run failed: %w", err)
	}
	emit(map[string]any{"type": "stopped"})
	return nil
}
