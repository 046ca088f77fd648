package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/actions/scaleset"
	"github.com/actions/scaleset/listener"
	"github.com/google/uuid"
)

// listenerLifecycle runs the reference listener with a scaler that starts fake runners
// (the --runner-cmd executable, JIT config in ACTIONS_RUNNER_INPUT_JITCONFIG) until
// --jobs jobs have completed end to end.
func listenerLifecycle(ctx context.Context, e *env) (map[string]any, error) {
	if e.opts.runnerCmd == "" {
		return nil, errors.New("--runner-cmd is required for the listener lifecycle")
	}
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	set, err := createSet(ctx, c, "compat-listener")
	if err != nil {
		return nil, err
	}
	info := systemInfo
	info.ScaleSetID = set.ID
	c.SetSystemInfo(info)

	sc, err := c.MessageSessionClient(ctx, set.ID, "compat-owner")
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	closed := false
	defer func() {
		if closed {
			return
		}
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = sc.Close(closeCtx)
	}()

	maxRunners := e.opts.jobs
	l, err := listener.New(sc, listener.Config{ScaleSetID: set.ID, MaxRunners: maxRunners})
	if err != nil {
		return nil, fmt.Errorf("new listener: %w", err)
	}
	if err := e.hook("queueJobs", map[string]any{"labels": []string{set.Name}, "count": e.opts.jobs}); err != nil {
		return nil, err
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	s := &fakeRunnerScaler{
		client:     c,
		scaleSetID: set.ID,
		maxRunners: maxRunners,
		runnerCmd:  e.opts.runnerCmd,
		want:       e.opts.jobs,
		done:       stop,
		procs:      map[string]*exec.Cmd{},
		busy:       map[string]bool{},
		killed:     map[string]bool{},
	}
	runErr := l.Run(runCtx, s)
	leftover := s.shutdown()
	completed := s.completedCount()
	details := map[string]any{
		"jobsCompleted":   completed,
		"runnersStarted":  s.startedCount(),
		"runnersLeftOver": leftover,
	}
	if completed < e.opts.jobs {
		return details, fmt.Errorf("listener stopped after %d of %d jobs: %v", completed, e.opts.jobs, runErr)
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return details, fmt.Errorf("listener: %w", runErr)
	}
	if err := s.failedRunners(); err != nil {
		return details, err
	}
	closed = true
	if err := sc.Close(ctx); err != nil {
		return details, fmt.Errorf("close session: %w", err)
	}
	if err := c.DeleteRunnerScaleSet(ctx, set.ID); err != nil {
		return details, fmt.Errorf("delete scale set: %w", err)
	}
	return details, nil
}

// fakeRunnerScaler mirrors the reference example's scaler: target = min(max, assigned),
// one fresh JIT config per runner, runners forgotten on JobCompleted.
type fakeRunnerScaler struct {
	client     *scaleset.Client
	scaleSetID int
	maxRunners int
	runnerCmd  string
	want       int
	done       context.CancelFunc

	mu        sync.Mutex
	procs     map[string]*exec.Cmd
	busy      map[string]bool
	killed    map[string]bool
	started   int
	completed int
	wg        sync.WaitGroup
	exitErrs  []error
}

var _ listener.Scaler = (*fakeRunnerScaler)(nil)

func (s *fakeRunnerScaler) HandleDesiredRunnerCount(ctx context.Context, count int) (int, error) {
	s.mu.Lock()
	current := len(s.procs)
	s.mu.Unlock()
	target := min(s.maxRunners, count)
	for i := current; i < target; i++ {
		if err := s.startRunner(ctx); err != nil {
			return 0, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.procs), nil
}

func (s *fakeRunnerScaler) HandleJobStarted(_ context.Context, job *scaleset.JobStarted) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy[job.RunnerName] = true
	return nil
}

func (s *fakeRunnerScaler) HandleJobCompleted(_ context.Context, job *scaleset.JobCompleted) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if job.Result != "succeeded" {
		s.exitErrs = append(s.exitErrs, fmt.Errorf("job %s finished with result %q", job.JobID, job.Result))
	}
	if _, ok := s.procs[job.RunnerName]; ok {
		delete(s.procs, job.RunnerName)
		delete(s.busy, job.RunnerName)
		s.completed++
	}
	if s.completed >= s.want {
		s.done()
	}
	return nil
}

func (s *fakeRunnerScaler) startRunner(ctx context.Context) error {
	name := "runner-" + uuid.NewString()[:8]
	jit, err := s.client.GenerateJitRunnerConfig(ctx, &scaleset.RunnerScaleSetJitRunnerSetting{Name: name}, s.scaleSetID)
	if err != nil {
		return fmt.Errorf("generate JIT config: %w", err)
	}
	cmd := exec.Command(s.runnerCmd)
	cmd.Env = append(runnerEnv(), "ACTIONS_RUNNER_INPUT_JITCONFIG="+jit.EncodedJITConfig)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start fake runner: %w", err)
	}
	s.mu.Lock()
	s.procs[name] = cmd
	s.started++
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := cmd.Wait(); err != nil {
			s.mu.Lock()
			// A runner we killed at shutdown is not a failure.
			if !s.killed[name] {
				s.exitErrs = append(s.exitErrs, fmt.Errorf("fake runner %s: %w", name, err))
			}
			s.mu.Unlock()
		}
	}()
	return nil
}

// runnerEnv is our environment without the driver's own secrets (COMPAT_*).
func runnerEnv() []string {
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPAT_") {
			env = append(env, kv)
		}
	}
	return env
}

// shutdown waits briefly for runners to exit, then kills the idle ones still running.
func (s *fakeRunnerScaler) shutdown() int {
	waited := make(chan struct{})
	go func() { s.wg.Wait(); close(waited) }()
	select {
	case <-waited:
		return 0
	case <-time.After(5 * time.Second):
	}
	s.mu.Lock()
	leftover := 0
	for name, cmd := range s.procs {
		if cmd.ProcessState == nil && cmd.Process != nil {
			leftover++
			s.killed[name] = true
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	s.procs = map[string]*exec.Cmd{}
	s.mu.Unlock()
	<-waited
	return leftover
}

func (s *fakeRunnerScaler) completedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.completed
}

func (s *fakeRunnerScaler) startedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

func (s *fakeRunnerScaler) failedRunners() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.exitErrs...)
}
