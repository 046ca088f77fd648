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
