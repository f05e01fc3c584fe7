//! Rule tuning: statistics, evaluation on labelled data, rule diffs and baselines. (Placeholder.)
