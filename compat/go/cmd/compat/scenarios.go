package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/actions/scaleset"
)

// scenarios in the order `all` runs them. Each has a TypeScript twin in compat/scenarios.
var scenarios = []scenario{
	{name: "pat-auth", timeout: 30 * time.Second, run: patAuth},
	{name: "app-auth", timeout: 30 * time.Second, run: appAuth},
	{name: "scale-set-crud", timeout: 30 * time.Second, run: scaleSetCrud},
	{name: "runners", timeout: 30 * time.Second, run: runners},
	{name: "name-encoding", timeout: 30 * time.Second, run: nameEncoding},
	{name: "retry", timeout: 30 * time.Second, run: retry},
	{name: "admin-refresh", timeout: 30 * time.Second, run: adminRefresh},
	{name: "queue-errors", timeout: 60 * time.Second, run: queueErrors},
	{name: "session", timeout: 60 * time.Second, run: session},
	// The session flow again over https + HTTP/2 (ALPN) with the emulator's self-signed CA.
	{name: "session-tls", timeout: 60 * time.Second, run: session},
	{name: "listener-lifecycle", timeout: 120 * time.Second, run: listenerLifecycle},
	// Same program against a GHES-mode emulator: JobAvailable → the listener acquires.
	{name: "listener-lifecycle-ghes", timeout: 120 * time.Second, run: listenerLifecycle},
	// Same program; its TypeScript counterpart is our own Listener rather than a twin loop.
	{name: "listener-product", timeout: 120 * time.Second, run: listenerLifecycle},
}

func newPATClient(e *env) (*scaleset.Client, error) {
	if e.opts.token == "" {
		return nil, errors.New("COMPAT_TOKEN is not set")
	}
	options, err := httpOptions(e)
	if err != nil {
		return nil, err
	}
	return scaleset.NewClientWithPersonalAccessToken(scaleset.NewClientWithPersonalAccessTokenConfig{
		GitHubConfigURL:     e.opts.configURL,
		PersonalAccessToken: e.opts.token,
		SystemInfo:          systemInfo,
	}, options...)
}

// httpOptions trusts --ca-file in addition to the system roots (as ARC does).
func httpOptions(e *env) ([]scaleset.HTTPOption, error) {
	if e.opts.caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(e.opts.caFile)
	if err != nil {
		return nil, fmt.Errorf("read --ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("--ca-file holds no PEM certificate")
	}
	return []scaleset.HTTPOption{scaleset.WithRootCAs(pool)}, nil
}

func createSet(ctx context.Context, c *scaleset.Client, name string) (*scaleset.RunnerScaleSet, error) {
	set, err := c.CreateRunnerScaleSet(ctx, &scaleset.RunnerScaleSet{
		Name:          name,
		RunnerGroupID: 1,
		Labels:        []scaleset.Label{{Name: name}},
		RunnerSetting: scaleset.RunnerSetting{DisableUpdate: true},
	})
	if err != nil {
		return nil, fmt.Errorf("create scale set: %w", err)
	}
	if set.ID == 0 {
		return nil, errors.New("create scale set: response has no id")
	}
	return set, nil
}

// patAuth: PAT → registration token → runner-registration → runner group lookup.
func patAuth(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	group, err := c.GetRunnerGroupByName(ctx, "default")
	if err != nil {
		return nil, fmt.Errorf("get runner group: %w", err)
	}
	if group.ID != 1 {
		return nil, fmt.Errorf("default runner group id = %d, want 1", group.ID)
	}
	if _, err := c.GetRunnerGroupByName(ctx, "compat-missing"); err == nil {
		return nil, errors.New("get runner group compat-missing: want an error")
	}
	return map[string]any{"runnerGroupId": group.ID}, nil
}

// appAuth: App JWT → installation token → registration token → runner-registration → lookup.
func appAuth(ctx context.Context, e *env) (map[string]any, error) {
	if e.opts.appKey == "" || e.opts.appClientID == "" || e.opts.appInstallationID == 0 {
		return nil, errors.New("app credentials missing (--app-client-id, --app-installation-id, COMPAT_APP_KEY_FILE)")
	}
	options, err := httpOptions(e)
	if err != nil {
		return nil, err
	}
	c, err := scaleset.NewClientWithGitHubApp(scaleset.ClientWithGitHubAppConfig{
		GitHubConfigURL: e.opts.configURL,
		GitHubAppAuth: scaleset.GitHubAppAuth{
			ClientID:       e.opts.appClientID,
			InstallationID: e.opts.appInstallationID,
			PrivateKey:     e.opts.appKey,
		},
		SystemInfo: systemInfo,
	}, options...)
	if err != nil {
		return nil, err
	}
	set, err := c.GetRunnerScaleSet(ctx, 1, "compat-app")
	if err != nil {
		return nil, fmt.Errorf("get scale set by name: %w", err)
	}
	if set != nil {
		return nil, errors.New("unexpected scale set compat-app")
	}
	return nil, nil
}

// scaleSetCrud: by-name miss, create, get by id, get by name, update, delete, by-name miss.
func scaleSetCrud(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	const name = "compat-crud"
	if got, err := c.GetRunnerScaleSet(ctx, 1, name); err != nil || got != nil {
		return nil, fmt.Errorf("get by name before create: set=%v err=%v", got, err)
	}
	set, err := createSet(ctx, c, name)
	if err != nil {
		return nil, err
	}
	byID, err := c.GetRunnerScaleSetByID(ctx, set.ID)
	if err != nil || byID == nil || byID.Name != name {
		return nil, fmt.Errorf("get by id: set=%v err=%v", byID, err)
	}
	byName, err := c.GetRunnerScaleSet(ctx, 1, name)
	if err != nil || byName == nil || byName.ID != set.ID {
		return nil, fmt.Errorf("get by name: set=%v err=%v", byName, err)
	}
	updated, err := c.UpdateRunnerScaleSet(ctx, set.ID, &scaleset.RunnerScaleSet{
		Labels: []scaleset.Label{{Name: name}, {Name: "linux"}},
	})
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	if updated.Name != name || len(updated.Labels) != 2 {
		return nil, fmt.Errorf("update: merge semantics broken: name=%q labels=%v", updated.Name, updated.Labels)
	}
	if err := c.DeleteRunnerScaleSet(ctx, set.ID); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	if got, err := c.GetRunnerScaleSet(ctx, 1, name); err != nil || got != nil {
		return nil, fmt.Errorf("get by name after delete: set=%v err=%v", got, err)
	}
	if got, err := c.GetRunnerScaleSetByID(ctx, set.ID); err == nil && got != nil {
		return nil, fmt.Errorf("get by id after delete: still there: %v", got)
	}
	return map[string]any{"scaleSetId": set.ID}, nil
}

// runners: JIT config, duplicate name → RunnerExists, get by id / by name, remove, lookups miss.
func runners(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	set, err := createSet(ctx, c, "compat-runners")
	if err != nil {
		return nil, err
	}
	const runnerName = "compat-runner-1"
	jit, err := c.GenerateJitRunnerConfig(ctx, &scaleset.RunnerScaleSetJitRunnerSetting{Name: runnerName}, set.ID)
	if err != nil {
		return nil, fmt.Errorf("generate JIT config: %w", err)
	}
	if jit.Runner == nil || jit.Runner.ID == 0 || jit.EncodedJITConfig == "" {
		return nil, errors.New("generate JIT config: incomplete response")
	}
	if _, err := c.GenerateJitRunnerConfig(ctx, &scaleset.RunnerScaleSetJitRunnerSetting{Name: runnerName}, set.ID); !errors.Is(err, scaleset.RunnerExistsError) {
		return nil, fmt.Errorf("duplicate JIT config: want RunnerExistsError, got %v", err)
	}
	runnerID := jit.Runner.ID
	got, err := c.GetRunner(ctx, runnerID)
	if err != nil || got == nil || got.Name != runnerName || got.RunnerScaleSetID != set.ID {
		return nil, fmt.Errorf("get runner: runner=%v err=%v", got, err)
	}
	byName, err := c.GetRunnerByName(ctx, runnerName)
	if err != nil || byName == nil || byName.ID != runnerID {
		return nil, fmt.Errorf("get runner by name: runner=%v err=%v", byName, err)
	}
	if err := c.RemoveRunner(ctx, int64(runnerID)); err != nil {
		return nil, fmt.Errorf("remove runner: %w", err)
	}
	if byName, err := c.GetRunnerByName(ctx, runnerName); err != nil || byName != nil {
		return nil, fmt.Errorf("get runner by name after remove: runner=%v err=%v", byName, err)
	}
	if _, err := c.GetRunner(ctx, runnerID); !errors.Is(err, scaleset.RunnerNotFoundError) {
		return nil, fmt.Errorf("get runner after remove: want RunnerNotFoundError, got %v", err)
	}
	if err := c.DeleteRunnerScaleSet(ctx, set.ID); err != nil {
		return nil, fmt.Errorf("delete scale set: %w", err)
	}
	return map[string]any{"runnerId": runnerID}, nil
}

// session (GHES mode): create session, 202, JobAvailable 200, ack, acquire, queue-token
// expiry → refresh → JobAssigned, ack, close session, delete set.
func session(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	set, err := createSet(ctx, c, "compat-session")
	if err != nil {
		return nil, err
	}
	sc, err := c.MessageSessionClient(ctx, set.ID, "compat-owner")
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	s := sc.Session()
	if s.Statistics == nil || s.MessageQueueURL == "" {
		return nil, errors.New("create session: incomplete session")
	}
	// The session client keeps the User-Agent of its creation for GetMessage/DeleteMessage,
	// while refresh/acquire/close use the parent's current one (spec §3.2).
	info := systemInfo
	info.ScaleSetID = set.ID
	c.SetSystemInfo(info)
	if _, err := c.MessageSessionClient(ctx, set.ID, "compat-owner-2"); err == nil {
		return nil, errors.New("second session for the same scale set: want a conflict error")
	}
	msg, err := sc.GetMessage(ctx, 0, 10)
	if err != nil || msg != nil {
		return nil, fmt.Errorf("get message on empty queue: want 202, got msg=%v err=%v", msg, err)
	}
	if err := e.hook("queueJobs", map[string]any{"labels": []string{set.Name}, "count": 1}); err != nil {
		return nil, err
	}
	msg, err = sc.GetMessage(ctx, 0, 10)
	if err != nil || msg == nil {
		return nil, fmt.Errorf("get message after queueing: msg=%v err=%v", msg, err)
	}
	if len(msg.JobAvailableMessages) != 1 {
		return nil, fmt.Errorf("want 1 JobAvailable, got %d (assigned %d)", len(msg.JobAvailableMessages), len(msg.JobAssignedMessages))
	}
	if err := sc.DeleteMessage(ctx, msg.MessageID); err != nil {
		return nil, fmt.Errorf("delete message: %w", err)
	}
	requestID := msg.JobAvailableMessages[0].RunnerRequestID
	acquired, err := sc.AcquireJobs(ctx, []int64{requestID})
	if err != nil || len(acquired) != 1 || acquired[0] != requestID {
		return nil, fmt.Errorf("acquire jobs: acquired=%v err=%v", acquired, err)
	}
	if err := e.hook("expireQueueToken", nil); err != nil {
		return nil, err
	}
	lastID := msg.MessageID
	msg, err = sc.GetMessage(ctx, lastID, 10)
	if err != nil || msg == nil {
		return nil, fmt.Errorf("get message after token expiry: msg=%v err=%v", msg, err)
	}
	if len(msg.JobAssignedMessages) != 1 {
		return nil, fmt.Errorf("want 1 JobAssigned, got %d", len(msg.JobAssignedMessages))
	}
	if err := sc.DeleteMessage(ctx, msg.MessageID); err != nil {
		return nil, fmt.Errorf("delete message after refresh: %w", err)
	}
	if err := sc.Close(ctx); err != nil {
		return nil, fmt.Errorf("close session: %w", err)
	}
	if err := c.DeleteRunnerScaleSet(ctx, set.ID); err != nil {
		return nil, fmt.Errorf("delete scale set: %w", err)
	}
	return map[string]any{"acquired": acquired}, nil
}
