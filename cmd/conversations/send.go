package main

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
)

func newSendCmd(a *app) *cobra.Command {
	var body, author string
	var media []string
	cmd := &cobra.Command{
		Use:   "send CONVERSATION --body TEXT [--author NAME] [--media FILE]...",
		Short: "Send a message to a conversation (for checks and tests)",
		Long: `Send a message to a conversation (SID or unique name), as --author (the API
when not set). Each --media file is uploaded to Twilio's media service; a
message holds one media file, so the first file goes with the body and each
further one is sent as a message of its own, in order.`,
		Example: `  conversations send support-4711 --body "Checking in" --author ops-bot
  conversations send CH0123456789abcdef0123456789abcdef --media receipt.pdf --json`,
		Args: exactArgs(1, "CONVERSATION (a CH... SID or unique name)"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if body == "" && len(media) == 0 {
				return usagef("give --body, --media, or both")
			}
			files := make([]*os.File, 0, len(media))
			defer func() {
				for _, f := range files {
					f.Close()
				}
			}()
			for _, path := range media {
				f, err := os.Open(path)
				if err != nil {
					return &usageError{err: err}
				}
				files = append(files, f)
			}
			scope, err := a.connect()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			j := newJSONLines(out)
			print := func(m *conversations.Message) error {
				if a.json {
					return j.write(m)
				}
				_, err := fmt.Fprintf(out, "sent %s (index %d) to %s\n", m.SID, m.Index, m.ConversationSID)
				return err
			}
			if len(files) == 0 {
				m, err := scope.Messages.Create(ctx, args[0], &conversations.MessageCreateParams{Author: author, Body: body})
				if err != nil {
					return err
				}
				return print(m)
			}
			for i, f := range files {
				up, err := uploadParams(f)
				if err != nil {
					return err
				}
				params := &conversations.MessageCreateParams{Author: author}
				if i == 0 {
					params.Body = body
				}
				m, err := scope.Messages.CreateWithMedia(ctx, args[0], f, up, params)
				if err != nil {
					return fmt.Errorf("%s: %w", f.Name(), err)
				}
				if err := print(m); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&body, "body", "", "the message text")
	cmd.Flags().StringVar(&author, "author", "", "the author (an identity or address; default: the API)")
	cmd.Flags().StringArrayVar(&media, "media", nil, "a file to attach (repeatable)")
	return cmd
}

// uploadParams describes a file for upload: its name, size and content type
// (from its extension, else sniffed from its first bytes).
func uploadParams(f *os.File) (*conversations.MediaUploadParams, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(f.Name())))
	if ct == "" {
		head := make([]byte, 512)
		n, _ := f.ReadAt(head, 0)
		ct = http.DetectContentType(head[:n])
	}
	if i := strings.Index(ct, ";"); i >= 0 && !strings.HasPrefix(ct, "text/") {
		ct = ct[:i]
	}
	return &conversations.MediaUploadParams{ContentType: ct, Filename: filepath.Base(f.Name()), Size: fi.Size()}, nil
}
