package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports a bulk run: a bar on a terminal, otherwise a plain line
// at each tenth (so logs of a CI job or a cron run stay short).
type progress struct {
	ctx       context.Context
	bar       *progressbar.ProgressBar
	w         io.Writer
	what      string
	lastTenth int
}

// newProgress reports on w until ctx ends (after Ctrl-C the items not
// attempted finish at once: they are not progress).
func newProgress(ctx context.Context, w io.Writer, terminal bool, what string, total int) *progress {
	p := &progress{ctx: ctx, w: w, what: what}
	if terminal && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("items"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
	}
	return p
}

// update is a BulkOptions.Progress function: calls never overlap.
func (p *progress) update(finished, total int) {
	if p.ctx.Err() != nil {
		return
	}
	if p.bar != nil {
		p.bar.Set(finished)
		return
	}
	if total == 0 {
		return
	}
	tenth := finished * 10 / total
	if tenth > p.lastTenth {
		p.lastTenth = tenth
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", p.what, finished, total, finished*100/total)
	}
}

// stop ends the bar's line when the run ended early.
func (p *progress) stop() {
	if p.bar != nil && !p.bar.IsFinished() {
		p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
