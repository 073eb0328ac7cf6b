from belvo_check.cli import main

main()
