/* The applet list: one line per applet, kept sorted by name (t_applets checks it).
 * Expanded by applets/main.c into prototypes and the dispatch table. */
APPLET(check,      "report whether checkpoint/restore can work on this host")
APPLET(checkpoint, "checkpoint a running container")
APPLET(delete,     "delete any resources held by the container")
APPLET(events,     "display container events such as OOM notifications, cpu, memory, and IO usage statistics")
APPLET(kill,       "kill sends the specified signal (default: SIGTERM) to the container's init process")
APPLET(list,       "lists containers started by crbox with the given root")
APPLET(pause,      "pause suspends all processes inside the container")
APPLET(ps,         "ps displays the processes running inside a container")
APPLET(restore,    "restore a container from a previous checkpoint")
APPLET(resume,     "resumes all processes that have been previously paused")
APPLET(state,      "output the state of a container")
APPLET(update,     "update container resource constraints")
