#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal and answers its prompts, as a person
at a terminal would: each answer is typed only once its prompt is shown.

    at_terminal.py PROMPT ANSWER [PROMPT ANSWER ...] -- COMMAND [ARG ...]

Prints everything the terminal showed and exits with the command's exit
code (or 124 when a prompt does not come within 30 seconds)."""

import os
import pty
import select
import sys
import time


def main(argv):
    split = argv.index("--")
    pairs, command = argv[:split], argv[split + 1:]
    answers = list(zip(pairs[0::2], pairs[1::2]))
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    shown, seen = b"", 0
    deadline = time.monotonic() + 30
    while True:
        if answers:
            prompt, answer = answers[0]
            at = shown.find(prompt.encode(), seen)
            if at >= 0:
                seen = at + len(prompt)
                os.write(fd, answer.encode() + b"\n")
                answers.pop(0)
                deadline = time.monotonic() + 30
                continue
            if time.monotonic() > deadline:
                sys.stdout.write(shown.decode(errors="replace"))
                os.kill(pid, 9)
                return 124
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the command closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(shown.decode(errors="replace"))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
