from pairrepl.cli import main

raise SystemExit(main())
