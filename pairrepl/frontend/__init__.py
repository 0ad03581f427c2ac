"""What the front ends that draw a session share: how its items look (``render``), what
a promotion shows (``promotion``), and what Enter does with what the human typed
(``entry``). The app (``tui/``) and the line console (``console/``) both use these, so a
rule of presentation or of input is written once. Pure: no widgets, no terminal."""
