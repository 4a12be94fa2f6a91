#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal and answers its prompts, as a person
at a terminal would: each answer is typed only once its prompt is shown
and the terminal has stopped echoing (a secret's prompt turns echo off
just after printing itself; typing in between would show the secret on
any terminal, and make the test race).

    at_terminal.py PROMPT ANSWER [PROMPT ANSWER ...] -- COMMAND [ARG ...]

Prints everything the terminal showed and exits with the command's exit
code (or 124 when a prompt does not come within 30 seconds)."""

import os
import pty
import select
import sys
import termios
import time


def wait_for_echo_off(fd, seconds=2.0):
    """Waits (up to `seconds`) until the terminal no longer echoes input."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return
        time.sleep(0.01)


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
                wait_for_echo_off(fd)
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
