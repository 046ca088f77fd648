package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/actions/scaleset"
	"github.com/actions/scaleset/listener"
)

// trivialScaler accepts every count and does nothing.
type trivialScaler struct{}

func (trivialScaler) HandleDesiredRunnerCount(_ context.Context, count int) (int, error) {
	return count, nil
}
func (trivialScaler) HandleJobStarted(context.Context, *scaleset.JobStarted) error     { return nil }
func (trivialScaler) HandleJobCompleted(context.Context, *scaleset.JobCompleted) error { return nil }

// runIdle runs one listener per scale set id (one session client each, as the reference is
// used) until the context ends, then deletes the sessions.
func runIdle(ctx context.Context, client *scaleset.Client, opts options) error {
	sessions := make([]*scaleset.MessageSessionClient, len(opts.ids))
	var wg sync.WaitGroup
	errs := make(chan error, len(opts.ids))
	sem := make(chan struct{}, 16)
	for i, id := range opts.ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := client.MessageSessionClient(ctx, id, fmt.Sprintf("bench-go-%d", id))
			if err != nil {
				errs <- fmt.Errorf("session for scale set %d: %w", id, err)
				return
			}
			sessions[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	var running sync.WaitGroup
	for i, id := range opts.ids {
		l, err := listener.New(sessions[i], listener.Config{ScaleSetID: id, MaxRunners: opts.maxRunners})
		if err != nil {
			return err
		}
		running.Add(1)
		go func() {
			defer running.Done()
			if err := l.Run(ctx, trivialScaler{}); err != nil && !errors.Is(err, context.Canceled) {
				emit(map[string]any{"type": "listener-error", "scaleSetId": id, "error": err.Error()})
			}
		}()
	}
	emit(map[string]any{"type": "ready", "listeners": len(opts.ids)})
	running.Wait()
	closeSessions(sessions)
	emit(map[string]any{"type": "stopped"})
	return nil
}

func closeSessions(sessions []*scaleset.MessageSessionClient) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for _, s := range sessions {
		if s == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_ = s.Close(context.Background())
		}()
	}
	wg.Wait()
}
