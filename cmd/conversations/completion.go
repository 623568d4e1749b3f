package main

import (
	"github.com/spf13/cobra"
)

// newCompletionCmd prints a shell completion script (cobra's generators;
// the completions themselves are answered by cobra's hidden __complete
// command, so they follow the commands and flags as they are).
func newCompletionCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script for bash, zsh or fish",
		Long: `Print the completion script of a shell, to load in the current session or to
install for every session.`,
		Example: `  source <(conversations completion bash)
  conversations completion bash > /etc/bash_completion.d/conversations
  conversations completion zsh > "${fpath[1]}/_conversations"
  conversations completion fish > ~/.config/fish/completions/conversations.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("want one shell: bash, zsh or fish")
			}
			if err := cobra.OnlyValidArgs(cmd, args); err != nil {
				return usagef("%v: want bash, zsh or fish", err)
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			}
			return root.GenFishCompletion(out, true)
		}),
	}
}
