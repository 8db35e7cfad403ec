from seamscope.cli import main

raise SystemExit(main())
