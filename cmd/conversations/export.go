package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
)

func newExportCmd(a *app) *cobra.Command {
	var f convFilter
	var format, mediaDir string
	cmd := &cobra.Command{
		Use:   "export CONVERSATION... | export [filters]",
		Short: "Export transcripts as JSON lines, CSV or text, with their media",
		Long: `Export the transcript of conversations (SIDs or unique names), or of every
conversation matched by the filters: each message's author, channel, date,
body, media names and delivery status, in index order. Messages are fetched and
written a page at a time, so a conversation of any length is exported in
constant memory.

--format jsonl (one message per line; the default with --json), csv, or text
(the default).

--media DIR downloads each message's media into DIR/CONVERSATION_SID/, named
INDEX-MEDIA_SID-FILENAME; a file already there with the right size is not
downloaded again, so an interrupted export can be run again.`,
		Example: `  conversations export CH0123456789abcdef0123456789abcdef > transcript.txt
  conversations export support-4711 --format csv --media ./media > support-4711.csv
  conversations export --state closed --created-after 2026-01-01 --format jsonl > january.jsonl`,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if format == "" {
				format = "text"
				if a.json {
					format = "jsonl"
				}
			}
			if format != "text" && format != "jsonl" && format != "csv" {
				return usagef("--format %q: want jsonl, csv or text", format)
			}
			if len(args) > 0 && f.set() {
				return usagef("give conversations or filters, not both")
			}
			if len(args) == 0 && !f.set() {
				return usagef("give one or more conversations (SID or unique name), or filters (--state, --created-after, ...)")
			}
			m, err := f.compile()
			if err != nil {
				return err
			}
			scope, err := a.connect()
			if err != nil {
				return err
			}
			if mediaDir != "" {
				if err := os.MkdirAll(mediaDir, 0o755); err != nil {
					return err
				}
			}
			bw := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
			x := &exporter{a: a, cmd: cmd, scope: scope, w: bw, format: format, mediaDir: mediaDir}
			if format == "csv" {
				x.csv = csv.NewWriter(bw)
				x.csv.Write([]string{"conversation_sid", "message_sid", "index", "author", "channel", "date_created", "body", "media", "delivery_status"})
			}
			if format == "jsonl" {
				x.json = newJSONLines(bw)
			}
			n := 0
			if len(args) > 0 {
				for _, ref := range args {
					c, err := scope.Conversations.Fetch(cmd.Context(), ref)
					if err != nil {
						x.flush()
						return err
					}
					if err := x.conversation(c); err != nil {
						x.flush()
						return err
					}
					n++
				}
			} else {
				err = m.each(cmd.Context(), scope, func(c *conversations.Conversation) (bool, error) {
					n++
					return true, x.conversation(c)
				})
			}
			if ferr := x.flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d messages of %d conversations", x.messages, n)
			if mediaDir != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "; media: %d downloaded, %d already there", x.downloaded, x.present)
			}
			fmt.Fprintln(cmd.ErrOrStderr())
			return nil
		}),
	}
	f.addFlags(cmd.Flags(), 0)
	cmd.Flags().StringVar(&format, "format", "", "jsonl, csv or text (default text; jsonl with --json)")
	cmd.Flags().StringVar(&mediaDir, "media", "", "download each message's media into this directory")
	return cmd
}

// exporter writes transcripts.
type exporter struct {
	a        *app
	cmd      *cobra.Command
	scope    *conversations.Scope
	w        *bufio.Writer
	format   string
	csv      *csv.Writer
	json     *jsonLines
	mediaDir string

	messages, downloaded, present int
}

func (x *exporter) flush() error {
	if x.csv != nil {
		x.csv.Flush()
		if err := x.csv.Error(); err != nil {
			return err
		}
	}
	return x.w.Flush()
}

// exportedMessage is one message of a transcript (--format jsonl).
type exportedMessage struct {
	ConversationSID string                   `json:"conversation_sid"`
	MessageSID      string                   `json:"message_sid"`
	Index           int                      `json:"index"`
	Author          string                   `json:"author"`
	ParticipantSID  string                   `json:"participant_sid,omitempty"`
	Channel         string                   `json:"channel"`
	DateCreated     time.Time                `json:"date_created"`
	Body            string                   `json:"body"`
	Media           []exportedMedia          `json:"media"`
	DeliveryStatus  string                   `json:"delivery_status,omitempty"`
	Attributes      conversations.Attributes `json:"attributes"`
}

type exportedMedia struct {
	SID         string `json:"sid"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	File        string `json:"file,omitempty"`
}

// conversation exports one conversation, a page of messages at a time.
func (x *exporter) conversation(c *conversations.Conversation) error {
	ctx := x.cmd.Context()
	// The channel of each author comes from their participant's binding.
	channels := map[string]string{}
	for p, err := range x.scope.Participants.List(ctx, c.SID, &conversations.ListParams{PageSize: 100}) {
		if err != nil {
			return err
		}
		ch := "chat"
		if b := p.MessagingBinding; b != nil && b.Type != "" {
			ch = string(b.Type)
		}
		channels[p.SID] = ch
	}
	if x.format == "text" {
		fmt.Fprintf(x.w, "== %s", c.SID)
		if c.UniqueName != "" {
			fmt.Fprintf(x.w, " %s", c.UniqueName)
		}
		if c.FriendlyName != "" {
			fmt.Fprintf(x.w, " %q", c.FriendlyName)
		}
		fmt.Fprintf(x.w, " (%s, created %s)\n", c.State, stamp(c.DateCreated))
	}
	pager := x.scope.Messages.Pager(c.SID, &conversations.MessageListParams{Order: conversations.OrderAsc, PageSize: 100})
	for pager.More() {
		page, err := pager.Next(ctx)
		if errors.Is(err, conversations.ErrNoMorePages) {
			break
		}
		if err != nil {
			return err
		}
		for i := range page.Items {
			if err := x.message(c, &page.Items[i], channels); err != nil {
				return err
			}
		}
		// A page is written before the next one is fetched.
		if err := x.flush(); err != nil {
			return err
		}
	}
	if x.format == "text" {
		fmt.Fprintln(x.w)
	}
	return nil
}

func (x *exporter) message(c *conversations.Conversation, m *conversations.Message, channels map[string]string) error {
	x.messages++
	ch := channels[m.ParticipantSID]
	if ch == "" {
		ch = "unknown" // the author has left the conversation, or is the API
		if m.ParticipantSID == "" {
			ch = "api"
		}
	}
	em := exportedMessage{
		ConversationSID: c.SID, MessageSID: m.SID, Index: m.Index, Author: m.Author,
		ParticipantSID: m.ParticipantSID, Channel: ch, DateCreated: m.DateCreated,
		Body: m.Body, Media: []exportedMedia{}, DeliveryStatus: deliveryStatus(m.Delivery),
		Attributes: m.Attributes,
	}
	for _, md := range m.Media {
		e := exportedMedia{SID: md.SID, Filename: md.Filename, ContentType: md.ContentType, Size: md.Size}
		if x.mediaDir != "" {
			file, err := x.download(c.SID, m.Index, md)
			if err != nil {
				return err
			}
			e.File = file
		}
		em.Media = append(em.Media, e)
	}
	switch x.format {
	case "jsonl":
		return x.json.write(em)
	case "csv":
		return x.csv.Write([]string{em.ConversationSID, em.MessageSID, fmt.Sprint(em.Index), em.Author, em.Channel,
			em.DateCreated.UTC().Format(time.RFC3339), em.Body, mediaNames(em.Media, ";"), em.DeliveryStatus})
	}
	fmt.Fprintf(x.w, "[%s] %s (%s): %s", stamp(em.DateCreated), em.Author, em.Channel, indent(em.Body))
	if len(em.Media) > 0 {
		fmt.Fprintf(x.w, " [media: %s]", mediaNames(em.Media, ", "))
	}
	if em.DeliveryStatus != "" {
		fmt.Fprintf(x.w, " {%s}", em.DeliveryStatus)
	}
	_, err := fmt.Fprintln(x.w)
	return err
}

// indent keeps a multi-line body readable in the text transcript.
func indent(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\n    ")
}

// mediaNames lists media by their downloaded file when there is one, else
// by their name.
func mediaNames(ms []exportedMedia, sep string) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		switch {
		case m.File != "":
			names[i] = m.File
		case m.Filename != "":
			names[i] = m.Filename
		default:
			names[i] = m.SID
		}
	}
	return strings.Join(names, sep)
}

// deliveryStatus sums up a message's delivery receipts: the furthest status
// every recipient reached (read, delivered, sent), or the list of statuses
// some reached ("delivered:some,failed:some"). Empty for a chat message.
func deliveryStatus(d *conversations.DeliverySummary) string {
	if d == nil || d.Total == 0 {
		return ""
	}
	for _, s := range []struct {
		name string
		amt  conversations.DeliveryAmount
	}{{"failed", d.Failed}, {"undelivered", d.Undelivered}, {"read", d.Read}, {"delivered", d.Delivered}, {"sent", d.Sent}} {
		if s.amt == conversations.DeliveryAll {
			return s.name
		}
	}
	var parts []string
	for _, s := range []struct {
		name string
		amt  conversations.DeliveryAmount
	}{{"read", d.Read}, {"delivered", d.Delivered}, {"sent", d.Sent}, {"undelivered", d.Undelivered}, {"failed", d.Failed}} {
		if s.amt == conversations.DeliverySome {
			parts = append(parts, s.name+":some")
		}
	}
	if len(parts) == 0 {
		return "pending"
	}
	return strings.Join(parts, ",")
}

// download saves one media file as DIR/CONVERSATION/INDEX-MEDIASID-NAME,
// unless a file of the right size is already there, and returns its path
// relative to DIR.
func (x *exporter) download(conversationSID string, index int, md conversations.MessageMedia) (string, error) {
	rel := filepath.Join(conversationSID, fmt.Sprintf("%06d-%s-%s", index, md.SID, mediaFileName(md)))
	path := filepath.Join(x.mediaDir, rel)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && (md.Size <= 0 || fi.Size() == md.Size) {
		x.present++
		return rel, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	body, _, err := x.scope.Media.Download(x.cmd.Context(), md.SID)
	if err != nil {
		return "", err
	}
	defer body.Close()
	err = writeFileAtomic(path, func(w io.Writer) error {
		_, err := io.Copy(w, body)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("media %s: %w", md.SID, err)
	}
	x.downloaded++
	return rel, nil
}

// mediaFileName is a safe file name for a media file: its own name without
// any directory or odd character, or "media" with an extension from its
// content type.
func mediaFileName(md conversations.MessageMedia) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ':' || r < ' ' || r == 0x7f:
			return '_'
		}
		return r
	}, filepath.Base(md.Filename))
	name = strings.TrimLeft(name, ".")
	if md.Filename == "" || name == "" {
		name = "media"
		if exts, _ := mime.ExtensionsByType(md.ContentType); len(exts) > 0 {
			name += exts[0]
		}
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	return name
}
