# tvauth kiosk: append this to ~tvauth/.bash_profile (for the user getty logs in on tty1).
#
#   sudo -u tvauth sh -c 'cat bash_profile.sh >> ~/.bash_profile'
#
# It starts tvauth full screen on the first console only: an SSH login, or a login on another
# console (Ctrl+Alt+F2), gets an ordinary shell. When tvauth ends (the "q" key, or an error) it is
# started again after a pause; press Ctrl+C during the pause to get a shell instead.

# A ~/.bash_profile stops bash from reading ~/.profile; read it, as a login shell would have.
if [ -f "$HOME/.profile" ]; then . "$HOME/.profile"; fi

export TVAUTH_HOME=/var/lib/tvauth

if [ "$(tty)" = "/dev/tty1" ] && [ -z "${SSH_CONNECTION:-}" ]; then
    export TERM=linux
    # Keep the screen on: the console otherwise blanks after 10 minutes.
    setterm --blank 0 --powerdown 0 --powersave off 2>/dev/null
    while :; do
        /opt/tvauth/bin/tvauth login
        status=$?
        printf '\ntvauth ended (status %s); starting again in 5 seconds. Ctrl+C for a shell.\n' "$status"
        sleep 5 || break
    done
fi
