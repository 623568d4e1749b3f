// Command media sends an image into a conversation with an SMS participant
// and reads it back: it generates a small PNG, uploads it to Twilio's Media
// Content Service and sends it as a message in one call
// (Messages.CreateWithMedia), then downloads it through its temporary URL and
// checks the bytes.
//
// With TWILIO_ACCOUNT_SID unset it runs offline against the
// conversationstest emulator, which serves the API and the Media Content
// Service on one local URL, and shows what the simulated phone received.
// Against Twilio it reads:
//
//	TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN  (or TWILIO_API_KEY, TWILIO_API_SECRET)
//	MEDIA_TO    the SMS participant's phone number (E.164), which gets an MMS
//	MEDIA_FROM  your Twilio phone number, the conversation's proxy address
//
// and deletes the conversation it created when done.
//
//	go run ./examples/media
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"os"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run does the whole example, writing what happens to w.
func run(ctx context.Context, w io.Writer) error {
	client, emu, to, from, err := setup(w)
	if err != nil {
		return err
	}
	if emu != nil {
		defer emu.Close()
	}

	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "media example"})
	if err != nil {
		return err
	}
	if emu == nil {
		defer func() {
			if err := client.Conversations.Delete(context.WithoutCancel(ctx), conv.SID, nil); err != nil {
				fmt.Fprintln(w, "cleanup:", err)
			}
		}()
	}
	if _, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: to, MessagingBindingProxyAddress: from,
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "conversation %s with SMS participant %s\n", conv.SID, to)

	img, err := picture()
	if err != nil {
		return err
	}
	// Channel: SMS checks the file against what reaches SMS users (JPG, PNG,
	// MP3, AMR, MP4 or PDF under 5 MB) before anything is uploaded.
	msg, err := client.Messages.CreateWithMedia(ctx, conv.SID, bytes.NewReader(img),
		&conversations.MediaUploadParams{ContentType: "image/png", Filename: "square.png", Channel: conversations.MessagingSMS},
		&conversations.MessageCreateParams{Body: "A picture for you"})
	var sendErr *conversations.MediaSendError
	if errors.As(err, &sendErr) {
		return fmt.Errorf("the upload worked (%s) but the message failed: %w", sendErr.MediaSID, sendErr.Err)
	}
	if err != nil {
		return err
	}
	sent := msg.Media[0]
	fmt.Fprintf(w, "sent message %s with media %s (%s, %d bytes, %s)\n", msg.SID, sent.SID, sent.ContentType, sent.Size, sent.Filename)

	// Read it back: the message's media, then the content through a fresh
	// temporary URL (Download asks for one each time).
	got, err := client.Messages.Fetch(ctx, conv.SID, msg.SID)
	if err != nil {
		return err
	}
	for _, m := range got.Media {
		rc, info, err := client.Service(conv.ChatServiceSID).Media.Download(ctx, m.SID)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if !bytes.Equal(b, img) {
			return fmt.Errorf("downloaded %d bytes that differ from the %d uploaded", len(b), len(img))
		}
		fmt.Fprintf(w, "downloaded %s: %d bytes, identical; attached to %s in %s\n", info.FileName, len(b), info.MessageSID, info.ChannelSID)
	}

	if emu != nil {
		for _, sm := range emu.Received(to) {
			fmt.Fprintf(w, "the phone %s got an MMS from %s with media %v and body %q\n", sm.To, sm.From, sm.MediaSids, sm.Body)
		}
	}
	return nil
}

// setup returns a client for Twilio, or for an emulator it starts when
// TWILIO_ACCOUNT_SID is unset, and the participant's and proxy addresses.
func setup(w io.Writer) (c *conversations.Client, emu *conversationstest.Server, to, from string, err error) {
	if os.Getenv("TWILIO_ACCOUNT_SID") != "" {
		to, from = os.Getenv("MEDIA_TO"), os.Getenv("MEDIA_FROM")
		if to == "" || from == "" {
			return nil, nil, "", "", errors.New("set MEDIA_TO (the participant's phone) and MEDIA_FROM (your Twilio number)")
		}
		c, err = conversations.NewClientFromEnv()
		return c, nil, to, from, err
	}
	fmt.Fprintln(w, "TWILIO_ACCOUNT_SID is not set: running offline against the conversationstest emulator")
	emu = conversationstest.NewServer()
	c, err = emu.Client()
	if err != nil {
		emu.Close()
		return nil, nil, "", "", err
	}
	return c, emu, "+15550100001", "+15550100999", nil
}

// picture draws a small PNG: a 16×16 square with a diagonal.
func picture() ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			c := color.NRGBA{R: 0xf2, G: 0x2f, B: 0x46, A: 0xff} // Twilio red
			if x == y {
				c = color.NRGBA{A: 0xff}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
