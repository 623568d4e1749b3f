package conversationstest

import (
	"context"
	"hash/fnv"
	"sync"
)

// dispatcher runs the emulator's asynchronous work (post-event webhooks and
// delivery receipts) on a fixed number of goroutines. Jobs with the same key
// (a conversation SID) run in the order they were queued, one at a time.
type dispatcher struct {
	mu      sync.Mutex
	idle    *sync.Cond
	pending int
	queues  [][]func(context.Context)
	wake    []chan struct{}
	started bool
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	after   func() // called after each job, if set
}

func newDispatcher(workers int) *dispatcher {
	d := &dispatcher{
		queues: make([][]func(context.Context), workers),
		wake:   make([]chan struct{}, workers),
	}
	d.idle = sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for i := range d.wake {
		d.wake[i] = make(chan struct{}, 1)
	}
	return d
}

// enqueue queues job behind the earlier jobs with the same key. It never
// blocks on the job itself.
func (d *dispatcher) enqueue(key string, job func(context.Context)) {
	h := fnv.New32a()
	h.Write([]byte(key))
	i := int(h.Sum32() % uint32(len(d.queues)))
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	if !d.started {
		d.started = true
		for w := range d.queues {
			d.wg.Add(1)
			go d.worker(w)
		}
	}
	d.queues[i] = append(d.queues[i], job)
	d.pending++
	d.mu.Unlock()
	select {
	case d.wake[i] <- struct{}{}:
	default:
	}
}

func (d *dispatcher) worker(i int) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			return
		}
		if len(d.queues[i]) == 0 {
			d.mu.Unlock()
			select {
			case <-d.wake[i]:
			case <-d.ctx.Done():
				return
			}
			continue
		}
		job := d.queues[i][0]
		d.queues[i][0] = nil
		d.queues[i] = d.queues[i][1:]
		d.mu.Unlock()

		job(d.ctx)
		if d.after != nil {
			d.after()
		}

		d.mu.Lock()
		if !d.closed {
			d.pending--
			if d.pending == 0 {
				d.idle.Broadcast()
			}
		}
		d.mu.Unlock()
	}
}

// flush waits until no job is queued or running. It must not be called
// from a job (such as a webhook handler the emulator is waiting on).
func (d *dispatcher) flush() {
	d.mu.Lock()
	for d.pending > 0 && !d.closed {
		d.idle.Wait()
	}
	d.mu.Unlock()
}

// close drops queued jobs, cancels running ones and waits for the workers.
func (d *dispatcher) close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.pending = 0
	for i := range d.queues {
		d.queues[i] = nil
	}
	d.idle.Broadcast()
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}
