import os
# No hub is needed by any test: fail fast instead of waiting on the network, and draw figures off screen.
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
# Two test workers share the machine's cores: one thread each (and in the commands they start) instead of two fighting.
os.environ.setdefault('OMP_NUM_THREADS', '1')

# The longest tests first (from the durations every run prints at its end), so that the two workers, stealing work
# from each other (`--dist worksteal`), finish together instead of one starting the end-to-end demo last.
LONGEST_FIRST = ['test_demo_learns_and_resumes', 'test_notebook[07_dpo]', 'test_notebook[06_sft]', 'test_notebook[09_eval]',
                 'test_notebook[04_prompts]', 'test_notebook[02_preprocess]', 'test_notebook[05_backbone]',
                 'test_two_process_sft', 'test_notebook[01_pooling]', 'test_notebook[03a_synthetic]',
                 'test_notebook[05a_pretrain]']

def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.name, len(rank)))
