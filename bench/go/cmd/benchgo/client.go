package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actions/scaleset"
)

// runClient runs one GetMessage/DeleteMessage loop per scale set id for a warm-up second plus
// the window, and reports requests per second and CPU per request over the window.
func runClient(ctx context.Context, client *scaleset.Client, opts options) error {
	sessions := make([]*scaleset.MessageSessionClient, len(opts.ids))
	for i, id := range opts.ids {
		s, err := client.MessageSessionClient(ctx, id, fmt.Sprintf("bench-go-client-%d", id))
		if err != nil {
			return err
		}
		sessions[i] = s
	}
	defer closeSessions(sessions)
	loopCtx, stop := context.WithCancel(ctx)
	defer stop()
	var requests, errorsSeen atomic.Int64
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for loopCtx.Err() == nil {
				msg, err := s.GetMessage(loopCtx, last, opts.maxRunners)
				requests.Add(1)
				if err != nil {
					if loopCtx.Err() == nil {
						errorsSeen.Add(1)
					}
					continue
				}
				if msg == nil {
					continue
				}
				last = msg.MessageID
				err = s.DeleteMessage(loopCtx, msg.MessageID)
				requests.Add(1)
				if err != nil && loopCtx.Err() == nil {
					errorsSeen.Add(1)
				}
			}
		}()
	}
	time.Sleep(time.Second)
	r0, c0, t0 := requests.Load(), cpuMs(), time.Now()
	time.Sleep(time.Duration(opts.seconds * float64(time.Second)))
	r1, c1, elapsed := requests.Load(), cpuMs(), time.Since(t0)
	stop()
	wg.Wait()
	emit(map[string]any{
		"type":     "result",
		"requests": r1 - r0,
		"seconds":  elapsed.Seconds(),
		"cpuMs":    c1 - c0,
		"errors":   errorsSeen.Load(),
	})
	return nil
}
