package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/actions/scaleset"
)

// nameEncoding: the reference inserts names unescaped into query strings (spec §3.1 item 5),
// so `+` reads back as a space and a space goes out as `+`. Results are recorded, not asserted:
// the traces show what each client put on the wire.
func nameEncoding(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	const name = "compat set+plus"
	set, err := createSet(ctx, c, name)
	if err != nil {
		return nil, err
	}
	found, err := c.GetRunnerScaleSet(ctx, 1, name)
	if err != nil {
		return nil, fmt.Errorf("get scale set by name: %w", err)
	}
	const runnerName = "compat runner+1"
	if _, err := c.GenerateJitRunnerConfig(ctx, &scaleset.RunnerScaleSetJitRunnerSetting{Name: runnerName}, set.ID); err != nil {
		return nil, fmt.Errorf("generate JIT config: %w", err)
	}
	runner, err := c.GetRunnerByName(ctx, runnerName)
	if err != nil {
		return nil, fmt.Errorf("get runner by name: %w", err)
	}
	if _, err := c.GetRunnerGroupByName(ctx, "no such group"); err == nil {
		return nil, errors.New("get runner group 'no such group': want an error")
	}
	if err := c.DeleteRunnerScaleSet(ctx, set.ID); err != nil {
		return nil, fmt.Errorf("delete scale set: %w", err)
	}
	return map[string]any{"scaleSetFoundByName": found != nil, "runnerFoundByName": runner != nil}, nil
}

// retry: one 503 on a lookup is retried after the reference's 1 s backoff; a 429 with
// Retry-After: 0 is retried at once.
func retry(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	if err := e.hook("addFault", map[string]any{"operation": "getRunnerGroupByName", "kind": "status", "status": 503}); err != nil {
		return nil, err
	}
	if _, err := c.GetRunnerGroupByName(ctx, "default"); err != nil {
		return nil, fmt.Errorf("get runner group after a 503: %w", err)
	}
	if err := e.hook("addFault", map[string]any{"operation": "getRunnerScaleSet", "kind": "status", "status": 429, "retryAfter": "0"}); err != nil {
		return nil, err
	}
	if _, err := c.GetRunnerScaleSet(ctx, 1, "compat-retry"); err != nil {
		return nil, fmt.Errorf("get scale set after a 429: %w", err)
	}
	return nil, nil
}

// adminRefresh: with an admin token that lives < 60 s the reference re-runs the whole
// registration exchange before every Actions-service request (spec §2.5).
func adminRefresh(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	for i := 0; i < 2; i++ {
		if _, err := c.GetRunnerScaleSet(ctx, 1, "compat-refresh"); err != nil {
			return nil, fmt.Errorf("lookup %d: %w", i+1, err)
		}
	}
	return nil, nil
}

// queueErrors: a queue token rejected twice (refresh once, then fail), a 500 on the long poll
// (retried after 1 s), and a 401 on acquirejobs (refresh, retry once).
func queueErrors(ctx context.Context, e *env) (map[string]any, error) {
	c, err := newPATClient(e)
	if err != nil {
		return nil, err
	}
	set, err := createSet(ctx, c, "compat-queue-errors")
	if err != nil {
		return nil, err
	}
	sc, err := c.MessageSessionClient(ctx, set.ID, "compat-owner")
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	if err := e.hook("addFault", map[string]any{"operation": "getMessage", "kind": "status", "status": 401, "count": 2}); err != nil {
		return nil, err
	}
	if _, err := sc.GetMessage(ctx, 0, 10); !errors.Is(err, scaleset.MessageQueueTokenExpiredError) {
		return nil, fmt.Errorf("get message with a token rejected twice: want MessageQueueTokenExpiredError, got %v", err)
	}
	if err := e.hook("addFault", map[string]any{"operation": "getMessage", "kind": "status", "status": 500}); err != nil {
		return nil, err
	}
	if msg, err := sc.GetMessage(ctx, 0, 10); err != nil || msg != nil {
		return nil, fmt.Errorf("get message after a 500: want 202, got msg=%v err=%v", msg, err)
	}
	if err := e.hook("addFault", map[string]any{"operation": "acquireJobs", "kind": "status", "status": 401}); err != nil {
		return nil, err
	}
	acquired, err := sc.AcquireJobs(ctx, []int64{424242})
	if err != nil {
		return nil, fmt.Errorf("acquire jobs after a 401: %w", err)
	}
	if err := sc.Close(ctx); err != nil {
		return nil, fmt.Errorf("close session: %w", err)
	}
	if err := c.DeleteRunnerScaleSet(ctx, set.ID); err != nil {
		return nil, fmt.Errorf("delete scale set: %w", err)
	}
	return map[string]any{"acquired": len(acquired)}, nil
}
